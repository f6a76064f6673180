// Issue 8, part 5: determinism as an invariant. The same 6,000 rows (1,100 under `pnpm test`) (V = 256) given as NDJSON arrays,
// NDJSON objects, msgpack row frames, msgpack batch frames, .npy, safetensors and raw float32 give
// byte-identical `sample` and `score` output (score with targets from the frames or from --targets FILE;
// entropy-only score too); --threads 1 and --threads 2 give the same bytes (on an input large enough
// that rows reach the workers); and so does every batch size, through the pool API the CLI uses (the
// CLI has no batch-size flag).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPool, DEFAULT_INLINE_THRESHOLD } from "@logitstream/pool";
import { frameChunks } from "@logitstream/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bytesOf,
  checkRecords,
  FAULT_PRELOAD,
  makeRows,
  msgpackBatches,
  ndjsonRows,
  npyFile,
  removeDir,
  runCli,
  safetensorsFile,
  sized,
  tempDir,
} from "./helpers.js";

// 6,000 rows under `pnpm test:full` (LOGITSTREAM_FULL_TESTS=1), 1,100 under `pnpm test`: still more
// than one 1 MiB read of every input file (1,100 × 256 float32 = 1.07 MiB, the smallest format), so
// frames and rows cross read boundaries, and more than the 1,000-row batch size of the pool API case.
const ROWS = sized(6_000, 1_100);
const V = 256;
const data = makeRows(ROWS, V, 777);
const targets = Int32Array.from({ length: ROWS }, (_, r) => (r * 31) % V);
const dir = tempDir();
const file = (name: string) => join(dir, name);

/** name → [path, flags, whether the frames carry targets]. */
const INPUTS: Record<string, readonly [string, readonly string[], boolean]> = {
  "NDJSON arrays": ["rows.ndjson", [], false],
  "NDJSON objects": ["objects.ndjson", [], true],
  "msgpack row frames": ["rows.msgpack", [], true],
  "msgpack batch frames": ["batches.msgpack", [], true],
  "msgpack batch frames without targets": ["plain.msgpack", [], false],
  ".npy": ["rows.npy", [], false],
  safetensors: ["rows.safetensors", [], false],
  "raw f32": ["rows.f32", ["--format", "f32", "--vocab", String(V)], false],
};

const SAMPLE = [
  "sample",
  "--top-p",
  "0.9",
  "--temperature",
  "0.8",
  "--min-p",
  "0.01",
  "--seed",
  "42",
  "--logprobs",
  "3",
];
const SCORE = ["score", "--top", "3"];

const digest = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The input in 64 KiB pieces, as a pipe delivers it. */
function* pieces(b: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < b.length; at += 65_536) yield b.slice(at, at + 65_536);
}

beforeAll(() => {
  writeFileSync(file("rows.ndjson"), ndjsonRows(data, V));
  writeFileSync(file("objects.ndjson"), ndjsonRows(data, V, targets));
  writeFileSync(file("rows.msgpack"), msgpackBatches(data, V, 1, targets));
  writeFileSync(file("batches.msgpack"), msgpackBatches(data, V, 100, targets));
  writeFileSync(file("plain.msgpack"), msgpackBatches(data, V, 100));
  writeFileSync(file("targets.txt"), `${Array.from(targets).join("\n")}\n`);
  writeFileSync(file("rows.npy"), npyFile(data, V));
  writeFileSync(file("rows.safetensors"), safetensorsFile(data, V));
  writeFileSync(file("rows.f32"), bytesOf(data));
});

afterAll(() => removeDir(dir));

/** Runs `cmd` over the inputs `which` selects (all by default); stdout by input name. */
async function outputs(
  cmd: readonly string[],
  extra: readonly string[] = [],
  which: (hasTargets: boolean) => boolean = () => true,
): Promise<Map<string, string>> {
  // One after the other: eight side by side (each with its worker threads) cost ~8 % more CPU on two
  // cores, and the suite's other files keep both cores busy anyway.
  const out = new Map<string, string>();
  for (const [name, [path, flags, hasTargets]] of Object.entries(INPUTS)) {
    if (!which(hasTargets)) continue;
    const r = await runCli([...cmd, file(path), ...flags, ...extra], { timeoutMs: 120_000 });
    expect(r.stderr, name).toBe("");
    expect(r.code, name).toBe(0);
    out.set(name, r.stdout.toString("latin1"));
  }
  return out;
}

function expectAllEqual(out: Map<string, string>): string {
  const [first, ...rest] = [...out.entries()];
  for (const [name, text] of rest) {
    expect(text.length, `${name} vs ${first![0]}`).toBe(first![1].length);
    expect(digest(Buffer.from(text, "latin1")), `${name} vs ${first![0]}`).toBe(
      digest(Buffer.from(first![1], "latin1")),
    );
  }
  return first![1];
}

// The sample and score outputs every later case compares with, computed once by whichever case needs
// them first: each case can also run alone (`-t`), in any order.
let sampleOnce: Promise<string> | undefined;
let scoreOnce: Promise<string> | undefined;
const sampleOutput = (): Promise<string> =>
  (sampleOnce ??= outputs(SAMPLE, ["--threads", "2"]).then(expectAllEqual));
const scoreOutput = (): Promise<string> =>
  (scoreOnce ??= outputs(SCORE, ["--threads", "2"], (t) => t).then(expectAllEqual));

describe("the same rows in every input format", () => {
  it("give byte-identical sample output (NDJSON, msgpack rows and batches, .npy, safetensors, raw f32)", async () => {
    const sampleOut = await sampleOutput();
    expect(checkRecords(sampleOut).rows).toBe(ROWS);
  }, 600_000);

  it("give byte-identical score output with targets (NDJSON objects, msgpack rows and batches)", async () => {
    const scoreOut = await scoreOutput();
    expect(checkRecords(scoreOut, { summary: true })).toMatchObject({ rows: ROWS, summary: { rows: ROWS } });
  }, 600_000);

  it("give byte-identical entropy-only score output for rows without targets, in every format", async () => {
    const out = expectAllEqual(await outputs(SCORE, ["--threads", "2"], (t) => !t));
    expect(checkRecords(out, { summary: true })).toMatchObject({ rows: ROWS, summary: { rows: 0 } });
    expect(out).toContain('"entropy":');
  }, 600_000);

  it("give byte-identical score output with targets from --targets FILE (.npy, safetensors, raw f32, NDJSON arrays)", async () => {
    // The contract (docs/DESIGN.md, "The command line"): targets come from the frames or from --targets FILE.
    const out = await outputs(SCORE, ["--threads", "2", "--targets", file("targets.txt")], (t) => !t);
    expect(out.get(".npy")).toBe(await scoreOutput());
    expectAllEqual(out);
  }, 600_000);

  it("give byte-identical msgpack-encoded output", async () => {
    expectAllEqual(await outputs(SAMPLE, ["--threads", "2", "--output", "msgpack"]));
  }, 600_000);
});

describe("threads and batch sizes", () => {
  it("give the same bytes with --threads 1 and --threads 2, the rows past the inline part run in the workers", async () => {
    // The pool runs the first DEFAULT_INLINE_THRESHOLD elements on the main thread whatever --threads
    // says, so the full-size input is larger than that: 20,000 rows of V = 1024 (20.5 M elements, 82 MB
    // of f32). The reduced size lowers the budget with --inline-elements instead: 832 rows, 576 of them
    // past a budget of 256 rows (9 frames of 64 for the workers: more than the 8 the check below asks for,
    // so both workers take several and the results must be put back in order; the first 3–4 frames run
    // inline). A fault injected at the last row (fired once, retried) proves that row ran in a worker.
    const BIG_V = 1024;
    const BIG_ROWS = sized(20_000, 832);
    const budget = sized(DEFAULT_INLINE_THRESHOLD, 256 * BIG_V);
    const inline = sized([], ["--inline-elements", String(budget)]);
    expect(BIG_ROWS * BIG_V).toBeGreaterThan(budget + 64 * BIG_V * 8);
    const big = makeRows(BIG_ROWS, BIG_V, 4242);
    const bigTargets = Int32Array.from({ length: BIG_ROWS }, (_, r) => (r * 17) % BIG_V);
    writeFileSync(file("big.f32"), bytesOf(big));
    writeFileSync(file("big.msgpack"), msgpackBatches(big, BIG_V, 64, bigTargets));
    const f32 = [file("big.f32"), "--format", "f32", "--vocab", String(BIG_V)];
    const msgpack = [file("big.msgpack")];
    // Full: both commands over both inputs; reduced: sample over raw f32, score over msgpack.
    const runs = sized(
      [SAMPLE, SCORE].flatMap((cmd) => [f32, msgpack].map((input) => [cmd, input] as const)),
      [[SAMPLE, f32] as const, [SCORE, msgpack] as const],
    );
    for (const [cmd, input] of runs) {
      const [one, two] = await Promise.all([
        runCli([...cmd, ...input, ...inline, "--threads", "1"], { timeoutMs: 120_000 }),
        runCli([...cmd, ...input, ...inline, "--threads", "2"], {
          timeoutMs: 120_000,
          preload: [FAULT_PRELOAD],
          env: { LOGITSTREAM_TEST_FAULTS: JSON.stringify([{ row: BIG_ROWS - 1, kind: "throw", times: 1 }]) },
        }),
      ]);
      const where = `${cmd[0]} ${input[0]}`;
      expect(one.code, where).toBe(0);
      expect(two.code, where).toBe(0);
      expect(two.report?.faultCounters, `${where}: the last row ran in a worker`).toEqual([-1]);
      expect(checkRecords(one.stdout.toString(), { summary: cmd === SCORE }).rows, where).toBe(BIG_ROWS);
      expect(digest(two.stdout), where).toBe(digest(one.stdout));
    }
  }, 600_000);

  it("give the same records for every batch size, thread count and parse location (pool API)", async () => {
    // Everything the CLI wrote before its summary line, cut to the first `rows` records.
    const firstLines = (text: string, rows: number): string => {
      let at = 0;
      for (let i = 0; i < rows; i++) at = text.indexOf("\n", at) + 1;
      return text.slice(0, at);
    };
    // Small batches over a prefix of the rows: each chunk costs a task, and the pool retains each chunk
    // pulled (see memory.test.ts), so thousands of them would only measure that. One-row batches: 1,000
    // tasks per job at the full size, 250 under `pnpm test`.
    const configs = [
      {
        rows: sized(1000, 250),
        maxBatchRows: 1,
        threads: 2,
        parse: "worker" as const,
        inlineThreshold: 0,
      },
      { rows: Math.min(3000, ROWS), maxBatchRows: 7, threads: 1, parse: "main" as const, inlineThreshold: 0 },
      {
        rows: ROWS,
        maxBatchRows: 64,
        threads: 2,
        parse: "worker" as const,
        inlineThreshold: Number.POSITIVE_INFINITY,
      },
      { rows: ROWS, maxBatchRows: 1000, threads: 2, parse: "main" as const, inlineThreshold: 0 },
      { rows: ROWS, maxBatchRows: 4096, threads: 1, parse: "worker" as const, inlineThreshold: 0 },
    ];
    const sampleOut = await sampleOutput();
    const scoreOut = await scoreOutput();
    for (const c of configs) {
      const bytes = msgpackBatches(data.subarray(0, c.rows * V), V, 1, targets.subarray(0, c.rows));
      for (const [job, expected] of [
        [
          {
            kind: "sample",
            params: { topP: 0.9, temperature: 0.8, minP: 0.01, seed: 42 },
            logprobs: 3,
            output: "ndjson",
          },
          firstLines(sampleOut, c.rows),
        ],
        [{ kind: "score", top: 3, output: "ndjson" }, firstLines(scoreOut, c.rows)],
      ] as const) {
        const pool = createPool({ threads: c.threads, parse: c.parse, inlineThreshold: c.inlineThreshold });
        const parts: Uint8Array[] = [];
        try {
          for await (const r of pool.run(frameChunks(pieces(bytes), { maxBatchRows: c.maxBatchRows }), job))
            parts.push(r.bytes!);
        } finally {
          await pool.close();
        }
        const got = Buffer.concat(parts);
        const where = `${job.kind} ${JSON.stringify(c)}`;
        expect(got.length, where).toBe(Buffer.byteLength(expected, "latin1"));
        expect(digest(got), where).toBe(digest(Buffer.from(expected, "latin1")));
      }
    }
  }, 600_000);
});
