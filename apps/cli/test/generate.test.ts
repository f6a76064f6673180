import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { describe, expect, it } from "vitest";
import { CLI, collect, runCli, spawnCli } from "./helpers/cli.js";
import { refArgmax, refLogSoftmax } from "./helpers/reference.js";
import { tempDir } from "./helpers/rows.js";
import { sized } from "./reliability/helpers.js";

interface Event {
  step: number;
  token: number;
  text: string;
  logprob: number;
  rank: number;
  top_logprobs?: { token: number; logprob: number }[];
}

interface Finish {
  finish_reason: string;
  steps: number;
  stop_sequence?: string;
  eos_token?: number;
  error?: { code?: string; message: string };
}

function records(stdout: Buffer): (Event | Finish)[] {
  return stdout
    .toString()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Event | Finish);
}

/** The token events of a --json run (every record but the finish record, which must be the last). */
function events(stdout: Buffer): Event[] {
  const all = records(stdout);
  expect(all.at(-1)).toHaveProperty("finish_reason");
  return all.slice(0, -1) as Event[];
}

const EOS = 100257; // the embedded model's end-of-text token

/**
 * `generate "The" --stop " " --max-tokens 40 --seed 2`, run once and shared by the two tests that assert
 * on its output (what --stop does, and that an escaped --stop gives the same): a run's output depends
 * only on its arguments, so a second identical process would check nothing more.
 */
let stopAtSpace: ReturnType<typeof runCli> | undefined;
function runStopAtSpace(): ReturnType<typeof runCli> {
  stopAtSpace ??= runCli(["generate", "The", "--stop", " ", "--max-tokens", "40", "--seed", "2"]);
  return stopAtSpace;
}

describe("logitstream generate", () => {
  it("prints the prompt and its continuation, the same text for the same seed", async () => {
    const [a, b] = await Promise.all([
      runCli(["generate", "The history of", "--max-tokens", "12", "--seed", "1"]),
      runCli(["generate", "The history of", "--max-tokens", "12", "--seed", "1"]),
    ]);
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(a.stdout.toString()).toMatch(/^The history of.+\n$/s);
    expect(b.stdout.equals(a.stdout)).toBe(true);
  });

  it("follows the embedded model's most likely token at each step with --temperature 0", async () => {
    const r = await runCli(["generate", "It was", "--temperature", "0", "--max-tokens", "6", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Reference: the same model, greedy by hand (highest logit, ties to the lower id).
    const model = loadModel();
    const tok = new BpeTokenizer();
    const context = tok.encode("It was");
    const got = events(r.stdout);
    expect(got).toHaveLength(6);
    got.forEach((e, step) => {
      const row = Array.from(model.next(context));
      const t = refArgmax(row);
      expect(e.step).toBe(step);
      expect(e.token).toBe(t);
      expect(e.rank).toBe(1);
      // The core's log-normalizer is a float32 exp-and-sum reduced in float64: its documented bound
      // against a float64 reference is 2^-24 · (11 + ln V) at T = 1 (core test/softmaxReference.ts).
      expect(Math.abs(e.logprob - refLogSoftmax(row)[t]!)).toBeLessThanOrEqual(
        2 ** -24 * (11 + Math.log(row.length)),
      );
      context.push(t);
    });
    expect(got.map((e) => e.text).join("")).toBe(
      new TextDecoder().decode(new Uint8Array(got.flatMap((e) => [...tok.tokenBytes(e.token)]))),
    );
  });

  it("writes token events with top_logprobs under --json --logprobs N, and the same text as the plain mode", async () => {
    const args = ["generate", "In the", "--max-tokens", "8", "--seed", "4", "--top-k", "50"];
    const [json, text] = await Promise.all([runCli([...args, "--json", "--logprobs", "3"]), runCli(args)]);
    expect(json.code).toBe(0);
    const evs = events(json.stdout);
    expect(evs).toHaveLength(8);
    for (const e of evs) {
      expect(e.top_logprobs).toHaveLength(3);
      expect(e.logprob).toBeLessThanOrEqual(0);
      expect(e.rank).toBeGreaterThanOrEqual(1);
      expect(e.top_logprobs![0]!.logprob).toBeGreaterThanOrEqual(e.top_logprobs![2]!.logprob);
    }
    expect(text.stdout.toString()).toBe(`In the${evs.map((e) => e.text).join("")}\n`);
  });

  it("stops before a --stop sequence", async () => {
    const r = await runStopAtSpace();
    expect(r.code).toBe(0);
    expect(r.stdout.toString().slice("The".length).trimEnd()).not.toContain(" ");
  });

  it("streams text before the generation ends, and Ctrl-C stops it with exit 130", async () => {
    // EOS (token 100257) banned, so the generation cannot end by itself before the signal.
    const child = spawnCli([
      "generate",
      "Once",
      "--max-tokens",
      "1000000",
      "--seed",
      "9",
      "--logit-bias",
      "100257:-1000",
    ]);
    child.stdin.end();
    const done = collect(child);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout.toString().startsWith("Once")).toBe(true);
    expect(r.stderr).toBe("");
  });

  it("ends quietly with exit 0 when stdout is closed by `| head -1`", async () => {
    const cmd = `set -o pipefail; "${process.execPath}" "${CLI}" generate "The" --json --max-tokens 100000 --logit-bias 100257:-1000 | head -1`;
    const r = await collect(
      spawn("bash", ["-c", cmd], { env: { ...process.env, NODE_OPTIONS: "" } }) as never,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^\{"step":0,.*\}\n$/);
  });

  it("exits 2 for --max-tokens 0", async () => {
    const r = await runCli(["generate", "x", "--max-tokens", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-tokens");
  });
});

describe("generate: why the text ended (issue 17 item 3, issue 16 item 6)", () => {
  // Seed 6 after "The history of" samples the end-of-text token at step 15 (the text ends early).
  // --max-tokens: 200 in test:full, 40 in pnpm test (past step 15 either way, so --ignore-eos goes on).
  const MAX = sized(200, 40);
  const EARLY = ["generate", "The history of", "--max-tokens", String(MAX), "--seed", "6"];

  it('ends --json with a "stop" record naming the end-of-text token when the model ends the text early', async () => {
    const r = await runCli([...EARLY, "--json"]);
    expect(r.code).toBe(0);
    const all = records(r.stdout);
    const evs = events(r.stdout);
    expect(evs.length).toBeLessThan(MAX);
    expect(all.at(-1)).toEqual({ finish_reason: "stop", steps: evs.length, eos_token: EOS });
    expect(evs.every((e) => e.token !== EOS)).toBe(true);
  });

  it('gives exactly --max-tokens tokens with --ignore-eos, ending with a "length" record', async () => {
    const r = await runCli([...EARLY, "--json", "--ignore-eos"]);
    expect(r.code).toBe(0);
    const evs = events(r.stdout);
    expect(evs).toHaveLength(MAX);
    expect(records(r.stdout).at(-1)).toEqual({ finish_reason: "length", steps: MAX });
    expect(evs.every((e) => e.token !== EOS)).toBe(true);
  });

  it('ends --json with a "stop" record naming the stop string', async () => {
    const r = await runCli(["generate", "The", "--stop", " ", "--max-tokens", "40", "--seed", "2", "--json"]);
    expect(r.code).toBe(0);
    const evs = events(r.stdout);
    expect(records(r.stdout).at(-1)).toEqual({
      finish_reason: "stop",
      steps: evs.length,
      stop_sequence: " ",
    });
  });

  it.each([
    ['ends --json with an "abort" record on Ctrl-C, then exits 130', true],
    ["ends its text with a newline on Ctrl-C, then exits 130", false],
  ])("%s", async (_name, json) => {
    {
      const child = spawnCli([
        "generate",
        "Once",
        "--max-tokens",
        "1000000",
        "--seed",
        "9",
        "--ignore-eos",
        ...(json ? ["--json"] : []),
      ]);
      child.stdin.end();
      const done = collect(child);
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.kill("SIGINT");
      const r = await done;
      expect(r.code).toBe(130);
      expect(r.stderr).toBe("");
      expect(r.stdout.toString().endsWith("\n")).toBe(true);
      if (json) {
        const all = records(r.stdout);
        expect(all.at(-1)).toEqual({ finish_reason: "abort", steps: all.length - 1 });
      }
    }
  });
});

describe("generate: where the prompt comes from (issue 17 item 2)", () => {
  const dir = tempDir();
  const args = ["--max-tokens", "8", "--seed", "3"];

  it("reads the prompt from stdin when no PROMPT is given and stdin is not a terminal", async () => {
    const [fromArg, fromStdin] = await Promise.all([
      runCli(["generate", "The history of", ...args]),
      runCli(["generate", ...args], { stdin: "The history of\n" }),
    ]);
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout.toString()).toMatch(/^The history of./);
    expect(fromStdin.stdout.toString()).toBe(fromArg.stdout.toString());
  });

  it("reads the prompt from --prompt-file FILE, from - (stdin), and exits 66 for a missing file", async () => {
    const file = join(dir, "prompt.txt");
    writeFileSync(file, "It was a\tdark");
    // Independent runs, side by side.
    const [fromArg, fromFile, dash, dashFile, missing, both] = await Promise.all([
      runCli(["generate", "It was a\tdark", ...args]),
      runCli(["generate", "--prompt-file", file, ...args]),
      runCli(["generate", "-", ...args], { stdin: "It was a\tdark" }),
      runCli(["generate", "--prompt-file", "-", ...args], { stdin: "It was a\tdark" }),
      runCli(["generate", "--prompt-file", join(dir, "nope.txt"), ...args]),
      runCli(["generate", "x", "--prompt-file", file]),
    ]);
    expect(fromFile.stdout.toString()).toBe(fromArg.stdout.toString());
    expect(dash.stdout.toString()).toBe(fromArg.stdout.toString());
    expect(dashFile.stdout.toString()).toBe(fromArg.stdout.toString());
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain("nope.txt");
    expect(both.code).toBe(2);
  });

  it("decodes \\n, \\t, \\\\ and \\uXXXX in PROMPT and --stop by default, and takes them literally with --no-escape", async () => {
    // Independent runs, side by side.
    const [escaped, literal, kept, stopEscaped, stopPlain, bad] = await Promise.all([
      runCli(["generate", "It was a\\tdark\\u0021", ...args]),
      runCli(["generate", "It was a\tdark!", ...args]),
      runCli(["generate", "a\\tb", "--no-escape", ...args]),
      runCli(["generate", "The", "--stop", "\\u0020", "--max-tokens", "40", "--seed", "2"]),
      runStopAtSpace(),
      runCli(["generate", "x", "--stop", "\\u12"]),
    ]);
    expect(escaped.code).toBe(0);
    expect(escaped.stdout.toString()).toBe(literal.stdout.toString());
    expect(kept.stdout.toString().startsWith("a\\tb")).toBe(true);
    expect(stopEscaped.stdout.toString()).toBe(stopPlain.stdout.toString());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--stop");
  });

  it("exits 2 for an empty --stop string (a flag error, not bad data)", async () => {
    const r = await runCli(["generate", "x", "--stop", ""]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--stop");
  });
});
