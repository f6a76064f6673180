// Rows of different lengths (NDJSON / msgpack frames say their own): `run` decodes a chunk whose rows
// differ and computes it run by run of equal-length rows. Each row must come out exactly as it does when
// it is sent alone, as a one-row uniform batch with its global row index — the path every uniform input
// takes — whether the chunk runs inline, in the workers or is decoded on the calling thread.
import { encodeMsgpack, frameChunks, type ReadOptions } from "@logitstream/wire";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
import type { Pool, StreamJob, StreamResult } from "../src/poolTypes.js";
import type { RowBatchLike } from "../src/protocol.js";
import { uniformRuns } from "../src/uniformRuns.js";
import { concatBytes } from "./helpers.js";

const utf8 = new TextEncoder();

/** 150 rows: multiple-choice items of 4 and 5 options, alternating, then runs of 3, 7 and 4. */
const LENGTHS = [
  ...Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 4 : 5)),
  ...Array.from({ length: 50 }, (_, i) => (i < 20 ? 3 : i < 35 ? 7 : 4)),
];
const ROWS = LENGTHS.map((v, r) => Array.from({ length: v }, (_, c) => (((r * 31 + c * 17) % 101) - 50) / 8));
const TARGETS = LENGTHS.map((v, r) => (r % 3 === 0 ? -1 : (r * 7) % v));

const NDJSON = utf8.encode(
  ROWS.map((logits, r) => JSON.stringify(TARGETS[r]! < 0 ? logits : { logits, target: TARGETS[r] })).join(
    "\n",
  ),
);
const MSGPACK = concatBytes(
  ROWS.map((logits, r) =>
    encodeMsgpack(
      { rows: 1, vocab: logits.length, data: Float32Array.from(logits), targets: Int32Array.of(TARGETS[r]!) },
      { dtype: r % 2 === 0 ? "f32" : "array" },
    ),
  ),
);

const JOBS: readonly [string, StreamJob][] = [
  ["sample", { kind: "sample", params: { seed: 9, topP: 0.9 }, logprobs: 3, output: "ndjson", arrays: true }],
  ["score", { kind: "score", top: 4, output: "msgpack", arrays: true }],
  ["softmax", { kind: "softmax", output: "ndjson", arrays: true }],
  ["softmax --top --log", { kind: "softmax", top: 6, log: true, output: "ndjson", arrays: true }],
];

const pools: Pool[] = [];
afterAll(async () => {
  for (const p of pools) await p.destroy();
});

async function collect(pool: Pool, source: AsyncIterable<never> | Iterable<never>, job: StreamJob) {
  const out: StreamResult[] = [];
  for await (const r of pool.run(source, job)) out.push(r);
  return out;
}

/**
 * Every row alone: a one-row uniform batch with its global index (the reference path). Computed once
 * per job, on one pool, and shared by the tests that compare against it: a run's output depends only
 * on its input and job.
 */
const references = new Map<StreamJob, Promise<StreamResult[]>>();
let referencePool: Pool | undefined;
function alone(job: StreamJob): Promise<StreamResult[]> {
  let ref = references.get(job);
  if (ref === undefined) {
    ref = computeAlone(job);
    references.set(job, ref);
  }
  return ref;
}
async function computeAlone(job: StreamJob): Promise<StreamResult[]> {
  if (referencePool === undefined) {
    referencePool = createPool({ threads: 1 });
    pools.push(referencePool);
  }
  const pool = referencePool;
  const batches: RowBatchLike[] = ROWS.map((logits, r) => ({
    firstRow: r,
    rows: 1,
    vocab: logits.length,
    data: Float32Array.from(logits),
    targets: Int32Array.of(TARGETS[r]!),
  }));
  return collect(pool, batches as never, job);
}

const WHERE: readonly [string, Parameters<typeof createPool>[0]][] = [
  ["inline", { threads: 1 }],
  ["in 2 workers", { threads: 2, inlineThreshold: 0 }],
  ["decoded on the calling thread, 2 workers", { threads: 2, inlineThreshold: 0, parse: "main" }],
];

/**
 * One pool per place (WHERE), shared by the tests that check only what a run outputs: starting worker
 * threads is most of this file's cost. The tests of bad rows take fresh pools.
 */
const wherePools = new Map<Parameters<typeof createPool>[0], Pool>();
function poolFor(options: Parameters<typeof createPool>[0]): Pool {
  let pool = wherePools.get(options);
  if (pool === undefined) {
    pool = createPool(options);
    pools.push(pool);
    wherePools.set(options, pool);
  }
  return pool;
}

describe("run over rows of different lengths", () => {
  for (const [format, bytes] of [
    ["ndjson", NDJSON],
    ["msgpack", MSGPACK],
  ] as const) {
    for (const [jobName, job] of JOBS) {
      it.each(WHERE)(`${format} ${jobName}, %s: every row as when it is alone`, async (_w, options) => {
        const ref = await alone(job);
        const pool = poolFor(options);
        const read: ReadOptions = { format, maxBatchRows: 16 };
        const got = await collect(pool, frameChunks([bytes], read) as never, job);
        expect(got.reduce((n, r) => n + r.rows, 0)).toBe(ROWS.length);
        expect(got.some((r) => r.offsets !== undefined && r.vocab === 0)).toBe(true);
        // Records: byte for byte the one-row batches' records, in row order.
        expect(Buffer.from(concatBytes(got.map((r) => r.bytes!)))).toEqual(
          Buffer.from(concatBytes(ref.map((r) => r.bytes!))),
        );
        // Arrays: per-row values equal; top-N padded to the widest row of the chunk.
        for (const r of got) {
          for (let i = 0; i < r.rows; i++) {
            const one = ref[r.firstRow + i]!;
            for (const key of ["tokens", "logprobs", "ranks", "entropies"] as const)
              if (one[key] !== undefined) expect(r[key]![i]).toBe(one[key]![0]);
            if (one.probs !== undefined) {
              const from = r.offsets === undefined ? i * r.vocab : r.offsets[i]!;
              expect(Array.from(r.probs!.subarray(from, from + one.probs.length))).toEqual(
                Array.from(one.probs),
              );
            }
            if (one.topTokens !== undefined) {
              const width = r.topTokens!.length / r.rows;
              const n = one.topTokens.length;
              expect(Array.from(r.topTokens!.subarray(i * width, i * width + n))).toEqual(
                Array.from(one.topTokens),
              );
              expect(
                Array.from(r.topTokens!.subarray(i * width + n, (i + 1) * width)).every((t) => t === -1),
              ).toBe(true);
            }
          }
        }
        if (job.kind === "score") expect(got.at(-1)!.totals).toEqual(ref.at(-1)!.totals);
      });
    }
  }

  it("a bad row in a chunk of mixed lengths: the rows before it are delivered, then its error", async () => {
    const text = "[1,2,3,4]\n[1,2,3,4,5]\n[0,1]\n[1,NaN]\n[5,6,7]\n";
    for (const options of WHERE.map((w) => w[1])) {
      const pool = createPool(options);
      pools.push(pool);
      const got: StreamResult[] = [];
      await expect(async () => {
        for await (const r of pool.run(frameChunks([utf8.encode(text)], { format: "ndjson" }), {
          kind: "softmax",
          output: "ndjson",
        }))
          got.push(r);
      }).rejects.toThrow(/row 3/);
      const lines = new TextDecoder()
        .decode(concatBytes(got.map((r) => r.bytes!)))
        .trim()
        .split("\n");
      expect(lines.map((l) => (JSON.parse(l) as { probs: number[] }).probs.length)).toEqual([4, 5, 2]);
    }
  });

  it("a bad first row (all −∞) of a chunk of mixed lengths: its own error, no row, on every path", async () => {
    for (const options of WHERE.map((w) => w[1])) {
      const pool = createPool(options);
      pools.push(pool);
      const got: StreamResult[] = [];
      const run = async () => {
        for await (const r of pool.run(
          frameChunks([utf8.encode("[null,null,null]\n[1,2]\n")], { format: "ndjson" }),
          {
            kind: "score",
            output: "ndjson",
          },
        ))
          got.push(r);
      };
      await expect(run()).rejects.toMatchObject({ name: "InvalidLogitsError", row: 0 });
      expect(got.reduce((n, r) => n + r.rows, 0)).toBe(0);
    }
  });

  it("skip mode: a bad row among mixed lengths is skipped and named, the rest computed", async () => {
    const text = "[1,2,3,4]\n[1,2,3,4,5]\n[0,oops]\n[5,6,7]\n";
    const pool = createPool({ threads: 2, inlineThreshold: 0 });
    pools.push(pool);
    const got: StreamResult[] = [];
    for await (const r of pool.run(frameChunks([utf8.encode(text)], { format: "ndjson", onError: "skip" }), {
      kind: "sample",
      params: { seed: 1 },
      output: "ndjson",
      onError: "skip",
    }))
      got.push(r);
    const records = new TextDecoder()
      .decode(concatBytes(got.map((r) => r.bytes!)))
      .trim()
      .split("\n");
    expect(records.map((l) => (JSON.parse(l) as { row: number }).row)).toEqual([0, 1, 3]);
    const errors = got.flatMap((r) => r.errors);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("row 2 (line 3)");
  });
});

describe("uniformRuns", () => {
  it("cuts a packed batch into runs of equal length, each with its rows' global indices", () => {
    const batch: RowBatchLike = {
      firstRow: 10,
      rows: 5,
      vocab: 0,
      data: Float32Array.from({ length: 18 }, (_, i) => i),
      offsets: Int32Array.of(0, 4, 8, 13, 16, 18),
      targets: Int32Array.of(1, 2, 3, 4, 0),
      ids: ["a", "b", "c", "d", "e"],
    };
    const runs = uniformRuns(batch);
    expect(runs.map((r) => [r.start, r.batch.firstRow, r.batch.rows, r.batch.vocab])).toEqual([
      [0, 10, 2, 4],
      [2, 12, 1, 5],
      [3, 13, 1, 3],
      [4, 14, 1, 2],
    ]);
    expect(Array.from(runs[1]!.batch.data)).toEqual([8, 9, 10, 11, 12]);
    expect(Array.from(runs[0]!.batch.targets!)).toEqual([1, 2]);
    expect(runs[2]!.batch.ids).toEqual(["d"]);
  });

  it("gives a uniform batch back whole", () => {
    const batch: RowBatchLike = { firstRow: 0, rows: 2, vocab: 3, data: new Float32Array(6) };
    expect(uniformRuns(batch)).toEqual([{ start: 0, batch }]);
  });
});
