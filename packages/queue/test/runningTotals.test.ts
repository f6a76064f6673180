import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeResult, encodeResult } from "../src/resultCodec.js";
import { addTask, EMPTY_TOTALS, streamTotals } from "../src/runningTotals.js";

/** Neumaier's summation over one array, written from its definition (Neumaier 1974). */
function neumaier(xs: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

describe("addTask", () => {
  it("sums 1e16, 1, -1e16 to 1 (plain summation gives 0)", () => {
    const t = addTask(EMPTY_TOTALS, 3, Float64Array.of(1e16, 1, -1e16));
    expect(streamTotals(t)).toEqual({ rows: 3, scored: 3, nllSum: 1 });
  });

  it("gives the same bits for any split of the rows into tasks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (xs, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
          let state = EMPTY_TOTALS;
          let from = 0;
          for (const to of [...points, xs.length]) {
            state = addTask(state, to - from, Float64Array.from(xs.slice(from, to)));
            from = to;
          }
          expect(Object.is(streamTotals(state).nllSum, neumaier(xs))).toBe(true);
          expect(state.scored).toBe(xs.length);
        },
      ),
    );
  });
});

describe("result values", () => {
  it("round-trip header, record bytes and float64 values", () => {
    const bytes = new TextEncoder().encode('{"row":5}\n{"row":6}\n');
    const nll = Float64Array.of(0.1, Math.PI, -0);
    const header = { index: 2, firstRow: 5, rows: 2, bytes: bytes.length, nll: 3, skipped: 0 };
    const back = decodeResult(encodeResult(header, bytes, nll));
    expect(back.header).toEqual(header);
    expect(Buffer.from(back.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(Array.from(back.nll)).toEqual([0.1, Math.PI, -0]);
  });
});
