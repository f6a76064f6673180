// The CLI on a real GGUF model (the tiny random-weight Llama-2 fixture of @logitstream/llama).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GgufModel, loadGgufModel } from "@logitstream/llama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, collect, lines, runCli, spawnCli } from "./helpers/cli.js";

const MODEL = fileURLToPath(
  new URL("../../../packages/llama/test/fixtures/llama-2-tiny-random.gguf", import.meta.url),
);
const V = 32000;
// Each test spawns the CLI a few times and every run loads llama.cpp: allow for a loaded CI machine.
const SLOW = { timeout: 240_000 };
const dir = mkdtempSync(join(tmpdir(), "cli-llama-"));
const TEXT = "Grüße aus Köln 🙂 — the quick brown fox, 日本語.";
const textFile = join(dir, "text.txt");
writeFileSync(textFile, TEXT);

let model: GgufModel;
beforeAll(async () => {
  model = await loadGgufModel(MODEL, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** `score --model MODEL --text textFile` run once, shared by the tests that read it. */
let scored: Promise<Awaited<ReturnType<typeof runCli>>> | undefined;
function scoreText(): ReturnType<typeof runCli> {
  scored ??= runCli(["score", "--model", MODEL, "--text", textFile, "--threads", "1"]);
  return scored;
}

/** Reads a little-endian <f4 .npy written by the CLI: shape and values (parsed from the format spec). */
function readNpy(path: string): { shape: number[]; descr: string; data: Float32Array | Uint16Array } {
  const b = readFileSync(path);
  expect(Array.from(b.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  const headerLen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + headerLen).toString("latin1");
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(",")
    .filter((s) => s.trim() !== "")
    .map(Number);
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const body = b.subarray(10 + headerLen);
  const copy = new Uint8Array(body).buffer;
  return { shape, descr, data: descr === "<f4" ? new Float32Array(copy) : new Uint16Array(copy) };
}

/** log-softmax(row)[target] and rank, in float64, from the definition. */
function reference(row: Float32Array, target: number): { logprob: number; rank: number } {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  let rank = 1;
  for (const x of row) if (x > row[target]!) rank++;
  return { logprob: row[target]! - max - Math.log(sum), rank };
}

function greedyArgmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

describe("generate --model FILE.gguf", SLOW, () => {
  it("greedy (--temperature 0) picks the argmax of the model's logits at every step, and writes their bytes", async () => {
    const r = await runCli([
      "generate",
      "--model",
      MODEL,
      "Once upon a time",
      "--temperature",
      "0",
      "--json",
      "--max-tokens",
      "12",
      "--threads",
      "1",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const records = lines(r).map((l) => JSON.parse(l) as { token: number; text: string });
    // The last record says why the text ended (finish_reason); the token events come before it.
    expect(records.at(-1)).toHaveProperty("finish_reason");
    const events = records.slice(0, -1);
    const context = model.encode("Once upon a time");
    const expected: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = greedyArgmax(await model.next(context));
      if (t === model.eosId) break;
      expected.push(t);
      context.push(t);
    }
    expect(events.map((e) => e.token)).toEqual(expected);
    const bytes = Buffer.concat(expected.map((t) => Buffer.from(model.tokenBytes(t))));
    expect(events.map((e) => e.text).join("")).toBe(bytes.toString("utf8"));
  });

  it("gives the same bytes for the same seed", async () => {
    const args = [
      "generate",
      "--model",
      MODEL,
      "It was",
      "--max-tokens",
      "16",
      "--top-k",
      "50",
      "--seed",
      "7",
      "--threads",
      "1",
    ];
    const a = await runCli(args);
    const b = await runCli(args);
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan("It was".length);
    expect(a.stdout.equals(b.stdout)).toBe(true);
  });

  it("stops on SIGINT mid-generation: exit 130, nothing on stderr, the process ends", async () => {
    const child = spawnCli([
      "generate",
      "--model",
      MODEL,
      "The",
      "--max-tokens",
      "100000",
      "--logit-bias",
      "2:-1000",
      "--threads",
      "1",
    ]);
    child.stdin.end();
    const done = collect(child);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe("");
    expect(r.stdout.toString().startsWith("The")).toBe(true);
  });
});

describe("score --text and logits on a GGUF model", SLOW, () => {
  it("scores every token with log-softmax of the `logits` output rows (float64 reference), then the perplexity", async () => {
    const npy = join(dir, "all.npy");
    const lg = await runCli(["logits", "--model", MODEL, "--text", textFile, "-o", npy, "--threads", "1"]);
    expect(lg.stderr).toBe("");
    expect(lg.code).toBe(0);
    const tokens = model.encode(TEXT);
    const { shape, descr, data } = readNpy(npy);
    expect(descr).toBe("<f4");
    expect(shape).toEqual([tokens.length, V]);
    const targets = readFileSync(join(dir, "all.targets.txt"), "utf8").trim().split("\n").map(Number);
    expect(targets).toEqual([...tokens.slice(1), -1]);

    const sc = await scoreText();
    expect(sc.code).toBe(0);
    const out = lines(sc).map((l) => JSON.parse(l));
    const records = out.slice(0, -1) as {
      row: number;
      token: number;
      text: string;
      logprob: number;
      rank: number;
    }[];
    expect(records.map((r) => r.row)).toEqual(tokens.slice(1).map((_, i) => i));
    let nll = 0;
    for (const r of records) {
      const row = (data as Float32Array).subarray(r.row * V, (r.row + 1) * V);
      const ref = reference(row, tokens[r.row + 1]!);
      expect(r.token).toBe(tokens[r.row + 1]);
      expect(r.logprob).toBeCloseTo(ref.logprob, 6);
      expect(r.rank).toBe(ref.rank);
      nll -= ref.logprob;
    }
    const summary = out.at(-1).summary;
    expect(summary.rows).toBe(tokens.length - 1);
    expect(summary.mean_nll).toBeCloseTo(nll / records.length, 6);
    expect(Math.abs(summary.perplexity / Math.exp(nll / records.length) - 1)).toBeLessThan(1e-8);
    // Byte-exact text across tokens that split multi-byte characters (🙂 is four byte tokens here).
    expect(records.map((r) => r.text).join("")).toBe(` ${TEXT}`);
    expect(records.some((r) => r.text === "")).toBe(true);
  });

  it("windows long texts (--context, --stride) the same way in score and logits: row i from the first window holding it", async () => {
    const flags = ["--model", MODEL, "--text", textFile, "--context", "8", "--stride", "3", "--threads", "1"];
    const npy = join(dir, "win.npy");
    expect((await runCli(["logits", ...flags, "-o", npy])).code).toBe(0);
    const { data } = readNpy(npy);
    const tokens = model.encode(TEXT);
    // Windows start at 0, 3, 6, …: [0, 8) gives rows 0–7, [3, 11) rows 8–10. So row 9 is the logits
    // after tokens 3…9 alone.
    const row9 = Float32Array.from(await model.next(tokens.slice(3, 10)));
    const got = (data as Float32Array).subarray(9 * V, 10 * V);
    let diff = 0;
    for (let i = 0; i < V; i++) diff = Math.max(diff, Math.abs(got[i]! - row9[i]!));
    expect(diff).toBeLessThan(1e-4);
    const sc = await runCli(["score", ...flags]);
    const records = lines(sc)
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { row: number; logprob: number });
    expect(records.map((r) => r.row)).toEqual(tokens.slice(1).map((_, i) => i));
    for (const r of records) {
      const ref = reference((data as Float32Array).subarray(r.row * V, (r.row + 1) * V), tokens[r.row + 1]!);
      expect(r.logprob).toBeCloseTo(ref.logprob, 6);
    }
  });

  it("writes safetensors (token ids in the metadata) and msgpack frames that `score` reads back to the same logprobs", async () => {
    const st = join(dir, "all.safetensors");
    expect(
      (
        await runCli([
          "logits",
          "--model",
          MODEL,
          "--text",
          textFile,
          "-o",
          st,
          "--dtype",
          "bf16",
          "--threads",
          "1",
        ])
      ).code,
    ).toBe(0);
    const b = readFileSync(st);
    const n = Number(b.readBigUInt64LE(0));
    const header = JSON.parse(b.subarray(8, 8 + n).toString("utf8"));
    const tokens = model.encode(TEXT);
    expect(JSON.parse(header.__metadata__.tokens)).toEqual(tokens);
    expect(header.logits.dtype).toBe("BF16");
    expect(header.logits.shape).toEqual([tokens.length, V]);
    expect(b.length).toBe(8 + n + tokens.length * V * 2);

    const piped = await runCli(["logits", "--model", MODEL, "--text", textFile, "-o", "-", "--threads", "1"]);
    expect(piped.code).toBe(0);
    const rescored = await runCli(["score"], { stdin: piped.stdout });
    const viaFrames = lines(rescored)
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { row: number; target?: number; logprob?: number });
    const direct = lines(await scoreText())
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { row: number; token: number; logprob: number });
    for (const d of direct) {
      const f = viaFrames[d.row]!;
      expect(f.target).toBe(d.token);
      expect(f.logprob).toBeCloseTo(d.logprob, 6);
    }
  });

  it("reads the text from stdin when --text is absent", async () => {
    const a = await runCli(["score", "--model", MODEL, "--threads", "1"], { stdin: TEXT });
    const b = await scoreText();
    expect(a.code).toBe(0);
    expect(a.stdout.equals(b.stdout)).toBe(true);
  });
});

describe("--model ngram (the embedded model) in the text commands", SLOW, () => {
  it("scores a text: one record per token, bytes exact, and a perplexity line", async () => {
    const r = await runCli(["score", "--model", "ngram", "--text", textFile]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r).map((l) => JSON.parse(l));
    const records = out.slice(0, -1) as { text: string; logprob: number; rank: number }[];
    expect(records.map((x) => x.text).join("")).toBe(TEXT);
    expect(records.every((x) => x.logprob < 0 && x.rank >= 1)).toBe(true);
    expect(out.at(-1).summary.rows).toBe(records.length);
  });
});

describe("bad models, bad text and bad flags", SLOW, () => {
  const notGguf = join(dir, "notes.gguf");
  writeFileSync(notGguf, "just some text");
  const truncated = join(dir, "truncated.gguf");
  writeFileSync(truncated, readFileSync(MODEL).subarray(0, 100_000));
  const commands = (path: string): string[][] => [
    ["generate", "--model", path, "x"],
    ["score", "--model", path, "--text", textFile],
    ["logits", "--model", path, "--text", textFile, "-o", join(dir, "never.npy")],
  ];
  it.each([
    // Missing and non-GGUF files are caught before llama.cpp loads: every command; a truncated file
    // (llama.cpp's own check) through one command, to keep the suite fast.
    ["a missing file", join(dir, "missing.gguf"), /no such file/, commands(join(dir, "missing.gguf"))],
    ["a file that is not GGUF", notGguf, /not a GGUF file/, commands(notGguf)],
    ["a truncated GGUF", truncated, /llama\.cpp rejected it/, commands(truncated).slice(1, 2)],
  ])("%s: exit 65, naming the path", async (_name, path, pattern, runs) => {
    for (const args of runs) {
      const r = await runCli(args);
      expect(r.code).toBe(65);
      expect(r.stderr).toContain(path);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout.length).toBe(0);
    }
  });

  it("exits 65 for text that is not UTF-8, naming the byte offset", async () => {
    const bad = join(dir, "latin1.txt");
    writeFileSync(bad, Buffer.from([0x61, 0x62, 0xe9, 0x63]));
    const r = await runCli(["score", "--model", MODEL, "--text", bad, "--threads", "1"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/byte 2/);
  });

  it.each([
    [["logits", "--model", MODEL, "--text", textFile, "-o", join(dir, "x.csv")], /-o/],
    [["logits", "--model", MODEL, "--text", textFile, "-o", join(dir, "x.npy"), "--dtype", "bf16"], /bf16/],
    [["logits", "--model", MODEL, "--text", textFile], /-o OUT is required/],
    [["score", "--model", MODEL, "--text", textFile, "--context", "8", "--stride", "9"], /--stride/],
    [["score", "--model", MODEL, "--text", textFile, "--context", "0"], /--context/],
  ])("exits 2 for %j", async (args, pattern) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });
});

describe("loading", SLOW, () => {
  it("never loads @logitstream/llama or node-llama-cpp unless --model is a GGUF file", async () => {
    const log = join(dir, "resolved.txt");
    const hook = join(dir, "hook.mjs");
    const hooks = join(dir, "hooks.mjs");
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`,
    );
    writeFileSync(
      hook,
      `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hooks}`)});\n`,
    );
    const run = async (args: string[]): Promise<string> => {
      writeFileSync(log, "");
      const r = await collect(
        spawn(process.execPath, ["--import", hook, CLI, ...args], {
          env: { ...process.env, NODE_OPTIONS: "" },
        }) as never,
      );
      expect(r.code).toBe(0);
      return readFileSync(log, "utf8");
    };
    const ngram = await run(["generate", "Hello", "--max-tokens", "3"]);
    expect(ngram).toContain("ngram");
    expect(ngram).not.toMatch(/node-llama-cpp|packages\/llama\//);
    const gguf = await run(["generate", "--model", MODEL, "Hello", "--max-tokens", "3", "--threads", "1"]);
    expect(gguf).toMatch(/node-llama-cpp/);
  });
});
