// decodeChunkPrefix(chunk, { data }) decodes into memory the caller supplies (a worker reuses one
// buffer for every chunk instead of allocating rows × vocab floats per chunk): the same rows as a fresh
// decode, every element overwritten, errors and skipped rows unchanged.
import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  decodeChunkPrefix,
  encodeMsgpack,
  encodeNdjson,
  encodeRaw,
  frameChunks,
  type ReadOptions,
} from "../src/index.js";
import { makeBatch, utf8 } from "./helpers.js";

async function chunksOf(bytes: Uint8Array, opts: ReadOptions): Promise<ByteChunk[]> {
  const out: ByteChunk[] = [];
  for await (const c of frameChunks([bytes], opts)) out.push(c);
  return out;
}

const batch = makeBatch(40, 50, 11);
const CASES: [string, Uint8Array, ReadOptions][] = [
  ["NDJSON arrays", encodeNdjson(batch), { maxBatchRows: 16 }],
  [
    "NDJSON objects",
    encodeNdjson({ ...batch, ids: Array.from({ length: 40 }, (_, i) => `r${i}`) }, { objects: true }),
    {},
  ],
  ["msgpack f32 bin", encodeMsgpack(batch, { dtype: "f32", rowsPerFrame: 4 }), { maxBatchRows: 8 }],
  ["msgpack f16 bin", encodeMsgpack(batch, { dtype: "f16" }), {}],
  ["msgpack arrays", encodeMsgpack(batch, { dtype: "array" }), {}],
  ["raw f16", encodeRaw(batch, "f16"), { format: "f16", vocab: 50, maxBatchRows: 7 }],
  ["raw bf16", encodeRaw(batch, "bf16"), { format: "bf16", vocab: 50 }],
];

describe("decodeChunkPrefix into supplied memory", () => {
  for (const [name, bytes, read] of CASES) {
    it(`${name}: gives the same rows as a fresh decode, in the supplied buffer`, async () => {
      const scratch = new Float32Array(40 * 50 + 100);
      let calls = 0;
      for (const chunk of await chunksOf(bytes, read)) {
        const fresh = decodeChunkPrefix(chunk);
        scratch.fill(999); // stale values from an earlier chunk must never show through
        const into = decodeChunkPrefix(chunk, {
          data: (n) => {
            calls++;
            expect(n).toBe(chunk.rows * fresh.batch.vocab);
            return scratch;
          },
        });
        expect(into.error).toBeUndefined();
        expect(into.batch.data.buffer).toBe(scratch.buffer);
        expect(into.batch.data.length).toBe(chunk.rows * fresh.batch.vocab);
        expect([...into.batch.data]).toEqual([...fresh.batch.data]);
        expect(into.batch.ids).toEqual(fresh.batch.ids);
      }
      expect(calls).toBeGreaterThan(0);
    });
  }

  it("NaN-fills skipped rows and keeps the prefix before an error the same way", async () => {
    const text = "[1,2,3]\n[4,oops]\n[7,8,9]\n";
    const scratch = new Float32Array(64).fill(999);
    const [chunk] = await chunksOf(utf8(text), { onError: "skip" });
    const skipped = decodeChunkPrefix(chunk!, { data: () => scratch });
    expect(skipped.batch.skippedRows).toEqual([1]);
    expect([...skipped.batch.data]).toEqual([1, 2, 3, Number.NaN, Number.NaN, Number.NaN, 7, 8, 9]);
    const [strict] = await chunksOf(utf8(text), {});
    scratch.fill(999);
    const prefix = decodeChunkPrefix(strict!, { data: () => scratch });
    expect(prefix.error).toMatchObject({ frame: 1 });
    expect([...prefix.batch.data]).toEqual([1, 2, 3]);
  });
});
