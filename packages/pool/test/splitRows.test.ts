import { describe, expect, it } from "vitest";
import { splitRows } from "../src/startPool.js";

// splitRows(rows, vocab, threads, minElements, shared) → rows per task of a split promise call.
describe("splitRows", () => {
  it.each([
    // two parts per thread when the input is shared, whatever the size
    [1024, 128_256, 2, 8192, true, 256],
    [1024, 128_256, 1, 8192, true, 512],
    // staged input: at most 2^22 elements (32 rows of 128,256) per part
    [1024, 128_256, 2, 8192, false, 32],
    [40, 2 ** 18, 1, 8192, false, 16],
    // a row wider than a part: one row per part
    [10, 2 ** 23, 2, 8192, false, 1],
    // few rows: the thread split binds before the size cap
    [8, 128_256, 2, 8192, false, 2],
    // narrow rows: no part below the warm inline threshold (8192 / 16 = 512 rows)
    [1000, 16, 2, 8192, true, 512],
    [100, 16, 2, 8192, false, 512],
    // one row
    [1, 128_256, 4, 8192, false, 1],
  ])("rows %i, vocab %i, threads %i, min %i, shared %s → %i", (rows, vocab, threads, min, shared, want) => {
    expect(splitRows(rows, vocab, threads, min, shared)).toBe(want);
  });
});
