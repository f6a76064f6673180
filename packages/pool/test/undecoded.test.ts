// A chunk whose first frame is bad decodes to a batch of 0 rows (vocabulary 0, since no row fixed it),
// plus wire's error. The kernels reject vocab 0 with InvalidParamsError — which a caller (the CLI) would
// report as a bad --vocab flag — so the pool must deliver the decode error (frame, byte offset) instead,
// for every job kind and wherever the chunk is decoded (worker, calling thread, inline).
import { InvalidParamsError } from "@logitstream/core";
import { encodeMsgpack, frameChunks, type ReadOptions, WireError } from "@logitstream/wire";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
import type { Pool, StreamJob, StreamResult } from "../src/poolTypes.js";
import { concatBytes } from "./helpers.js";

const utf8 = new TextEncoder();
const str = (s: string) => [0xa0 | s.length, ...utf8.encode(s)];

/** A good 1-row msgpack frame of 4 logits with an id. */
function goodFrame(i: number): Uint8Array {
  return encodeMsgpack({ rows: 1, vocab: 4, data: Float32Array.of(i, 1, 2, 3), ids: [i] }, { dtype: "f32" });
}

/** [name, input, read options, frame of the bad frame, its byte offset]. */
const BAD_FIRST: readonly [string, Uint8Array, ReadOptions, number, number][] = [
  ["the single byte 0x00 as NDJSON", Uint8Array.of(0x00), { format: "ndjson" }, 0, 0],
  ["an NDJSON syntax error before good rows", utf8.encode("[1,2,oops]\n[1,2,3]\n[4,5,6]\n"), {}, 0, 0],
  [
    "an extension type in place of the msgpack logits",
    Uint8Array.from([0x81, ...str("logits"), 0xd6, 0xff, 0, 0, 0, 1]),
    { format: "msgpack" },
    0,
    0,
  ],
  [
    "a msgpack batch frame claiming 2^31 rows, after a frame in an earlier chunk",
    concatBytes([
      goodFrame(0),
      Uint8Array.from([
        0x82,
        ...str("rows"),
        0xce,
        0x80,
        0,
        0,
        0,
        ...str("logits"),
        0xc4,
        8,
        ...new Array(8).fill(0),
      ]),
    ]),
    { format: "msgpack", maxBatchRows: 1 },
    1,
    goodFrame(0).length,
  ],
];

const JOBS: readonly StreamJob[] = [
  { kind: "score", output: "ndjson" },
  { kind: "score" },
  { kind: "sample", params: { seed: 1 }, logprobs: 2, output: "ndjson" },
  { kind: "sample", params: { seed: 1 } },
  { kind: "softmax", output: "msgpack" },
  { kind: "softmax", top: 2 },
];

const pools: Record<string, Pool> = {
  worker: createPool({ threads: 1, inlineThreshold: 0 }),
  "parse on the calling thread": createPool({ threads: 1, inlineThreshold: 0, parse: "main" }),
  inline: createPool({ threads: 1, inlineThreshold: Number.POSITIVE_INFINITY }),
};
afterAll(async () => {
  await Promise.all(Object.values(pools).map((p) => p.destroy()));
});

async function drain(p: Pool, bytes: Uint8Array, read: ReadOptions, job: StreamJob) {
  const results: StreamResult[] = [];
  let error: unknown;
  try {
    for await (const r of p.run(frameChunks([bytes], read), job)) results.push(r);
  } catch (e) {
    error = e;
  }
  return { results, error };
}

describe("a chunk whose first frame is bad (nothing for the kernels)", () => {
  for (const [where, p] of Object.entries(pools)) {
    it(`fails with wire's error naming the frame and byte offset, never calling a kernel (${where})`, async () => {
      for (const [name, bytes, read, frame, byteOffset] of BAD_FIRST) {
        for (const job of JOBS) {
          const { results, error } = await drain(p, bytes, read, job);
          const what = `${name}, ${JSON.stringify(job)}`;
          expect(error, what).not.toBeInstanceOf(InvalidParamsError);
          expect(error, what).toBeInstanceOf(WireError);
          expect((error as WireError).frame, what).toBe(frame);
          expect((error as WireError).byteOffset, what).toBe(byteOffset);
          // Rows before the bad frame (the 2^31 case: frame 0, in its own chunk) are delivered first.
          expect(
            results.reduce((n, r) => n + r.rows, 0),
            what,
          ).toBe(frame);
        }
      }
    });
  }

  it("with onError skip, reports every row of an all-bad chunk as skipped and goes on", async () => {
    // Chunk 1 (rows 0–1): two bad lines, so no row fixes the vocabulary; chunk 2: good rows.
    const bytes = utf8.encode('[1,2,oops]\n{"logits":7}\n[1,2,3]\n[4,5,6]\n');
    for (const [where, p] of Object.entries(pools)) {
      for (const job of JOBS) {
        const what = `${where}, ${JSON.stringify(job)}`;
        const { results, error } = await drain(
          p,
          bytes,
          { maxBatchRows: 2, onError: "skip" },
          {
            ...job,
            onError: "skip",
          },
        );
        expect(error, what).toBeUndefined();
        expect(
          results.map((r) => [r.firstRow, r.rows]),
          what,
        ).toEqual([
          [0, 2],
          [2, 2],
        ]);
        const first = results[0]!;
        expect(
          first.errors.map((e) => (e as { row?: number }).row),
          what,
        ).toEqual([0, 1]);
        expect(
          first.errors.every((e) => e instanceof WireError),
          what,
        ).toBe(true);
        expect(
          first.wireErrors?.map((e) => (e as WireError).frame),
          what,
        ).toEqual([0, 1]);
        if (job.output !== undefined) expect(first.bytes?.length, what).toBe(0);
        expect(results[1]!.errors, what).toEqual([]);
        expect(results[1]!.totals.rows, what).toBe(2);
      }
    }
  });

  it("with onError skip, reports wire's reason for a row wire skipped, not the kernel's NaN error", async () => {
    // Wire leaves a malformed row NaN so the kernels skip it; the row's error must still be wire's.
    const bytes = utf8.encode('[1,2,3]\n[1,"x",3]\n[1,2,3]\n');
    for (const [where, p] of Object.entries(pools)) {
      for (const job of JOBS.filter((j) => j.kind !== "softmax")) {
        const what = `${where}, ${JSON.stringify(job)}`;
        const { results, error } = await drain(p, bytes, { onError: "skip" }, { ...job, onError: "skip" });
        expect(error, what).toBeUndefined();
        const errors = results.flatMap((r) => r.errors);
        expect(errors, what).toHaveLength(1);
        expect(errors[0], what).toBeInstanceOf(WireError);
        expect(errors[0], what).toMatchObject({ row: 1, frame: 1, byteOffset: 8 });
        expect(errors[0]!.message, what).toContain("row 1 (line 2)");
        expect(results.at(-1)!.totals.rows, what).toBe(2);
      }
    }
  });
});
