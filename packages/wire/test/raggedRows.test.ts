// NDJSON and msgpack frames say how long their rows are, so decodeChunkPrefix(chunk, { ragged: true })
// (what the pool's workers call) decodes a chunk whose rows differ in length into one packed batch with
// `offsets`; without it — and whenever the caller fixed `vocab` — rows of another length stay an error.
// Expected values are the input numbers themselves (Math.fround), written here, not taken from a decode.
import fc from "fast-check";
import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  type DecodedChunk,
  decodeChunkPrefix,
  frameChunks,
  type ReadOptions,
  type RowBatch,
} from "../src/index.js";
import { utf8 } from "./helpers.js";

async function chunksOf(bytes: Uint8Array, opts: ReadOptions): Promise<ByteChunk[]> {
  const out: ByteChunk[] = [];
  for await (const c of frameChunks([bytes], opts)) out.push(c);
  return out;
}

async function decodeAll(bytes: Uint8Array, opts: ReadOptions, ragged = true): Promise<DecodedChunk[]> {
  return (await chunksOf(bytes, opts)).map((c) => decodeChunkPrefix(c, { ragged }));
}

/** Row `r` of a batch, uniform or packed. */
function rowOf(b: RowBatch, r: number): number[] {
  if (b.offsets === undefined) return Array.from(b.data.subarray(r * b.vocab, (r + 1) * b.vocab));
  return Array.from(b.data.subarray(b.offsets[r]!, b.offsets[r + 1]!));
}

const f32 = (xs: readonly number[]) => new Uint8Array(Float32Array.from(xs).buffer);
const fround = (xs: readonly number[]) => xs.map(Math.fround);

const ROWS = [
  [1, 2, 3, 4],
  [0.1, 0.2, 0.3, 0.4, 0.5],
  [-1, -2, -3, -4],
  [7, 8, 9, 10],
  [1e-3, 2.5, -7.25, 3, 4, 5],
  [3, 2, 1],
];

describe("decodeChunkPrefix with ragged: true", () => {
  it("decodes NDJSON array and object lines of 4, 5, 6 and 3 logits into one packed batch", async () => {
    const text = ROWS.map((r, i) =>
      i % 2 === 0 ? JSON.stringify(r) : JSON.stringify({ logits: r, target: 2 }),
    )
      .join("\n")
      .concat("\n");
    const [d, ...more] = await decodeAll(utf8(text), { format: "ndjson" });
    expect(more).toHaveLength(0);
    expect(d!.error).toBeUndefined();
    const b = d!.batch;
    expect(b.rows).toBe(6);
    expect(b.vocab).toBe(0);
    expect(Array.from(b.offsets!)).toEqual([0, 4, 9, 13, 17, 23, 26]);
    ROWS.forEach((r, i) => {
      expect(rowOf(b, i)).toEqual(fround(r));
    });
    expect(Array.from(b.targets!)).toEqual([-1, 2, -1, 2, -1, 2]);
  });

  it("decodes msgpack bins, number arrays and batch frames of different widths", async () => {
    const bytes = Buffer.concat([
      pack({ logits: f32([1, 2, 3, 4]), id: "a", target: 3 }),
      pack({ logits: [1, 2, 3, 4, 5], target: 4 }),
      pack({ logits: f32([0, 1, 2, 3, 4, 5]), rows: 2, vocab: 3, targets: [0, 2] }),
      pack({ logits: f32([9, 8, 7, 6, 5]) }),
    ]);
    const [d] = await decodeAll(bytes, { format: "msgpack" });
    expect(d!.error).toBeUndefined();
    const b = d!.batch;
    expect(b.rows).toBe(5);
    expect(b.vocab).toBe(0);
    expect(Array.from(b.offsets!)).toEqual([0, 4, 9, 12, 15, 20]);
    expect(rowOf(b, 2)).toEqual([0, 1, 2]);
    expect(rowOf(b, 3)).toEqual([3, 4, 5]);
    expect(rowOf(b, 4)).toEqual([9, 8, 7, 6, 5]);
    expect(Array.from(b.targets!)).toEqual([3, 4, 0, 2, -1]);
    expect(b.ids).toEqual(["a", undefined, undefined, undefined, undefined]);
  });

  it("leaves a uniform chunk uniform: no offsets, the vocabulary of its rows", async () => {
    const [d] = await decodeAll(utf8("[1,2,3]\n[4,5,6]\n"), { format: "ndjson" });
    expect(d!.batch.offsets).toBeUndefined();
    expect(d!.batch.vocab).toBe(3);
    expect(Array.from(d!.batch.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("checks a target against its own row: 4 is a token of a 5-logit row, not of a 4-logit row", async () => {
    const text = '{"logits":[1,2,3,4,5],"target":4}\n{"logits":[1,2,3,4],"target":4}\n';
    const [d] = await decodeAll(utf8(text), { format: "ndjson" });
    expect(d!.batch.rows).toBe(1);
    expect(d!.batch.targets![0]).toBe(4);
    expect(d!.error?.code).toBe("E_WIRE_FIELD");
    expect(d!.error?.message).toContain("row 1: target must be an integer token id in [0, 4)");
    expect(d!.error?.frame).toBe(1);
  });

  it("hands back the rows before a bad one (throw mode), uniform again if the odd row was the bad one", async () => {
    const [d] = await decodeAll(utf8('[1,2]\n[3,4]\n{"logits":[5,6,7],"target":9}\n[8,9]\n'), {
      format: "ndjson",
    });
    expect(d!.batch.rows).toBe(2);
    expect(d!.batch.offsets).toBeUndefined();
    expect(d!.batch.vocab).toBe(2);
    expect(Array.from(d!.batch.data)).toEqual([1, 2, 3, 4]);
    expect(d!.error?.message).toContain("row 2");
  });

  it("skip mode: a bad line in a packed batch takes the previous row's length, NaN, and is named", async () => {
    const text = "[1,2,3,4]\n[1,2,3,4,5]\n[1,2,oops]\n[6,7]\n";
    const [d] = await decodeAll(utf8(text), { format: "ndjson", onError: "skip" });
    const b = d!.batch;
    expect(d!.error).toBeUndefined();
    expect(b.rows).toBe(4);
    expect(Array.from(b.offsets!)).toEqual([0, 4, 9, 14, 16]);
    expect(rowOf(b, 2).every(Number.isNaN)).toBe(true);
    expect(rowOf(b, 3)).toEqual([6, 7]);
    expect(b.skippedRows).toEqual([2]);
    expect(b.errors![0]!.message).toContain("row 2 (line 3)");
  });

  it("still rejects an empty row and a row over maxVocab", async () => {
    const [empty] = await decodeAll(utf8("[1,2]\n[]\n"), { format: "ndjson" });
    expect(empty!.error?.message).toContain("row 1 is empty");
    const [long] = await decodeAll(utf8("[1,2]\n[1,2,3,4,5]\n"), { format: "ndjson", maxVocab: 4 });
    expect(long!.batch.rows).toBe(1);
    expect(long!.error?.code).toMatch(/E_WIRE_LIMIT/);
  });

  it("is off by default and whenever vocab is given: rows of another length are E_WIRE_VOCAB", async () => {
    const text = utf8("[1,2,3,4]\n[1,2,3,4,5]\n");
    const [off] = await decodeAll(text, { format: "ndjson" }, false);
    expect(off!.error?.code).toBe("E_WIRE_VOCAB");
    expect(off!.error?.message).toContain("every row must have the same length");
    const [fixed] = await decodeAll(text, { format: "ndjson", vocab: 4 });
    expect(fixed!.batch.rows).toBe(1);
    expect(fixed!.error?.code).toBe("E_WIRE_VOCAB");
    const [mp] = await decodeAll(Buffer.concat([pack({ logits: [1, 2] }), pack({ logits: [1, 2, 3] })]), {
      format: "msgpack",
      vocab: 2,
    });
    expect(mp!.error?.message).toContain("row 1 has 3 logits but the stream's vocabulary size is 2");
  });

  it("property: any sequence of row lengths reads back exactly, NDJSON and msgpack, any chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 16 }),
        async (rows, maxBatchRows) => {
          const values = rows.map((r) => r.map((x) => x / 8)); // exact in float32
          const nd = utf8(values.map((r) => JSON.stringify(r)).join("\n"));
          const mp = Buffer.concat(values.map((r, i) => pack(i % 2 ? { logits: f32(r) } : { logits: r })));
          for (const [bytes, format] of [
            [nd, "ndjson"],
            [mp, "msgpack"],
          ] as const) {
            const got: number[][] = [];
            for (const d of await decodeAll(bytes, { format, maxBatchRows })) {
              expect(d.error).toBeUndefined();
              for (let r = 0; r < d.batch.rows; r++) got.push(rowOf(d.batch, r));
              if (d.batch.offsets === undefined)
                expect(d.batch.data.length).toBe(d.batch.rows * d.batch.vocab);
              else expect(d.batch.vocab).toBe(0);
            }
            expect(got).toEqual(values);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
