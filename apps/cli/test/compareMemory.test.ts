// compare's batch memory is reused: the row pairs are written into the pool's recycled slabs (taken back
// when a pair's task has settled) and each input's chunks are read into a few reused buffers (taken back
// when the next batch is asked for). These tests check that reused memory is never rewritten while
// something still reads it — every row's result against the float64 definition, computed here — and that
// the memory stays a fixed handful of buffers however many batches pass.
import { createPool } from "@logitstream/pool";
import type { ByteReader, RowBatch } from "@logitstream/wire";
import { describe, expect, it } from "vitest";
import { pairRows } from "../src/pairRows.js";
import { readBatchesReusing } from "../src/readBatchesReusing.js";
import { npy } from "./helpers/fixtures.js";
import { refArgmax, refKl } from "./helpers/reference.js";
import { randomRows } from "./helpers/rows.js";

const V = 96;
const ROWS = 600;
const base = randomRows(ROWS, V, 11);
// Every row differs from every other (random rows), so a pair read from a slab another batch has
// overwritten gives another row's KL.
const next = randomRows(ROWS, V, 12).map((row, r) => row.map((x, i) => Math.fround(base[r]![i]! + 0.1 * x)));

/** The rows as batches of `size` rows (the last one shorter). */
function* batchesOf(rows: readonly (readonly number[])[], size: number): Generator<RowBatch> {
  for (let first = 0; first < rows.length; first += size) {
    const part = rows.slice(first, first + size);
    yield { firstRow: first, rows: part.length, vocab: V, data: Float32Array.from(part.flat()) } as RowBatch;
  }
}

/** An async iterable over a sync one (pairRows takes async ones). */
async function* async<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** A file-like reader over bytes in memory: wire reads binary rows straight into the memory it is given. */
function readerOf(bytes: Uint8Array): ByteReader {
  let at = 0;
  return {
    readInto: async (into) => {
      const k = Math.min(into.length, bytes.length - at);
      into.set(bytes.subarray(at, at + k));
      at += k;
      return k;
    },
  };
}

describe("compare's pair batches on the pool's recycled slabs", () => {
  it("gives every row the definition's KL and top-1 tokens over 300 batches on 2 workers, on 4 slabs", async () => {
    // Everything on the workers (inline threshold 0), up to 4 tasks in flight, and the two inputs cut
    // at different rows (3 and 4 per batch): ~300 pair batches of 1–3 rows, each written into a slab
    // while the workers still read up to 3 others. A slab recycled before its task settled would be
    // rewritten under a worker: that row's KL would be another row's.
    const pool = createPool({ threads: 2, inlineThreshold: 0 });
    try {
      const pairs = pairRows(async(batchesOf(base, 3)), async(batchesOf(next, 4)), {
        alloc: pool.allocBytes,
      });
      let row = 0;
      let batches = 0;
      for await (const res of pool.run(pairs, { kind: "compare" })) {
        batches++;
        expect(res.firstRow).toBe(row);
        for (let r = 0; r < res.rows; r++, row++) {
          expect(Math.abs(res.kls![r]! - refKl(base[row]!, next[row]!)), `row ${row}`).toBeLessThan(1e-10);
          expect(res.top1Base![r], `row ${row}`).toBe(refArgmax(base[row]!));
          expect(res.top1New![r], `row ${row}`).toBe(refArgmax(next[row]!));
        }
      }
      expect(row).toBe(ROWS);
      expect(batches).toBeGreaterThanOrEqual(300);
      const stats = pool.stats();
      expect(stats.inlineTasks).toBe(0);
      // At most maxInFlight (2 × threads) pairs are alive at once, each on its own slab; a slab is
      // reused once its task has settled, so no more are ever made.
      expect(stats.slabsAllocated).toBeGreaterThan(0);
      expect(stats.slabsAllocated).toBeLessThanOrEqual(4);
    } finally {
      await pool.destroy();
    }
  });
});

describe("compare's inputs read into reused buffers (readBatchesReusing)", () => {
  it("pairs exactly the rows of both inputs, on at most 3 buffers per input however many chunks", async () => {
    // Chunks of 7 and 5 rows: the two inputs move to their next chunk at different rows, and each
    // chunk of a file is read into memory the previous chunk of that file used.
    const buffers = [new Set<ArrayBufferLike>(), new Set<ArrayBufferLike>()];
    async function* watched(i: number, batches: AsyncIterable<RowBatch>): AsyncGenerator<RowBatch> {
      for await (const b of batches) {
        buffers[i]!.add(b.data.buffer);
        yield b;
      }
    }
    const pairs = pairRows(
      watched(0, readBatchesReusing(readerOf(npy(base)), { maxBatchRows: 7 })),
      watched(1, readBatchesReusing(readerOf(npy(next)), { maxBatchRows: 5 })),
    );
    let row = 0;
    for await (const pair of pairs) {
      expect(pair.firstRow).toBe(row);
      expect(pair.vocab).toBe(2 * V);
      for (let r = 0; r < pair.rows; r++, row++) {
        const got = Array.from(pair.data.subarray(r * 2 * V, (r + 1) * 2 * V));
        expect(got, `row ${row}`).toEqual([...base[row]!, ...next[row]!]);
      }
    }
    expect(row).toBe(ROWS);
    // 86 and 120 chunks; a fresh buffer each would be that many.
    expect(buffers[0]!.size).toBeLessThanOrEqual(3);
    expect(buffers[1]!.size).toBeLessThanOrEqual(3);
  });
});
