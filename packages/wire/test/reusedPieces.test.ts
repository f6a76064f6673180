// The framer copies each piece of an iterable input (into a chunk or its own buffer) before it asks for
// the next one, so an input may hand out views into one buffer it reuses: the CLI's pipe reader hands
// out views into its read-ahead ring. Here every piece is a view into one buffer that is overwritten
// (first with junk, then with the next piece) as soon as the next piece is asked for.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeChunk,
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  encodeRaw,
  frameChunks,
  type ReadOptions,
} from "../src/index.js";
import { makeBatch } from "./helpers.js";

/** `bytes` cut at `cuts`, each piece written into the same buffer; some pieces arrive after a pause. */
async function* reusingSource(
  bytes: Uint8Array,
  cuts: number[],
  pauses: boolean[],
): AsyncGenerator<Uint8Array> {
  const shared = new Uint8Array(bytes.length);
  const ends = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  ends.push(bytes.length);
  let at = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    if (end === at) continue;
    shared.fill(0xa5); // whatever the framer kept of the last piece is junk from here on
    if (pauses[i % pauses.length]) await new Promise((r) => setTimeout(r, 1));
    shared.set(bytes.subarray(at, end), 0);
    yield shared.subarray(0, end - at);
    at = end;
  }
}

const B = makeBatch(9, 7, 3);
const FORMATS: [string, Uint8Array, ReadOptions][] = [
  ["raw f32", encodeRaw(B, "f32"), { format: "f32", vocab: 7 }],
  ["npy", encodeNpy(B), {}],
  ["ndjson", encodeNdjson(B), {}],
  ["msgpack", encodeMsgpack(B, { rowsPerFrame: 2 }), {}],
];

describe("frameChunks over an input that reuses one buffer for every piece", () => {
  it.each(FORMATS)("%s: the rows decode exactly, with or without alloc", async (_name, bytes, opts) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (cuts, pauses, alloc) => {
          const o: ReadOptions = { ...opts, maxBatchRows: 4 };
          if (alloc) o.alloc = (n) => new Uint8Array(new ArrayBuffer(n + 16), 16, n);
          const got: number[] = [];
          let rows = 0;
          for await (const chunk of frameChunks(reusingSource(bytes, cuts, pauses), o)) {
            const batch = decodeChunk(chunk);
            expect(batch.firstRow).toBe(rows);
            rows += batch.rows;
            got.push(...batch.data);
          }
          expect(rows).toBe(B.rows);
          expect(got).toEqual([...B.data]);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
