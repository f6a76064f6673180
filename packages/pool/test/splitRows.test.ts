import { describe, expect, it } from "vitest";
import { splitRows } from "../src/runSplit.js";

// splitRows(rows, vocab, threads, minElements) → rows per task of a split promise call.
describe("splitRows", () => {
  it.each([
    // at most 2^22 elements (32 rows of 128,256) per part
    [1024, 128_256, 2, 8192, 32],
    [1024, 128_256, 1, 8192, 32],
    [40, 2 ** 18, 1, 8192, 16],
    // a row wider than a part: one row per part
    [10, 2 ** 23, 2, 8192, 1],
    // few rows: the thread split binds before the size cap
    [8, 128_256, 2, 8192, 2],
    // narrow rows: no part below the warm inline threshold (8192 / 16 = 512 rows)
    [1000, 16, 2, 8192, 512],
    [100, 16, 2, 8192, 512],
    // one row
    [1, 128_256, 4, 8192, 1],
  ])("rows %i, vocab %i, threads %i, min %i → %i", (rows, vocab, threads, min, want) => {
    expect(splitRows(rows, vocab, threads, min)).toBe(want);
  });
});
