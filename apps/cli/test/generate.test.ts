import { spawn } from "node:child_process";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { describe, expect, it } from "vitest";
import { CLI, collect, runCli, spawnCli } from "./helpers/cli.js";
import { refArgmax, refLogSoftmax } from "./helpers/reference.js";

interface Event {
  step: number;
  token: number;
  text: string;
  logprob: number;
  rank: number;
  top_logprobs?: { token: number; logprob: number }[];
}

function events(stdout: Buffer): Event[] {
  return stdout
    .toString()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Event);
}

describe("logitstream generate", () => {
  it("prints the prompt and its continuation, the same text for the same seed", async () => {
    const a = await runCli(["generate", "The history of", "--max-tokens", "12", "--seed", "1"]);
    const b = await runCli(["generate", "The history of", "--max-tokens", "12", "--seed", "1"]);
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
    const json = await runCli([...args, "--json", "--logprobs", "3"]);
    const text = await runCli(args);
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
    const r = await runCli(["generate", "The", "--stop", " ", "--max-tokens", "40", "--seed", "2"]);
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
