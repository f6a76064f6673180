import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planWindows } from "../src/textWindows.js";

describe("planWindows", () => {
  it.each([
    // [T, N, S, windows as [start, end, firstRow]] — worked out by hand from the definition.
    [0, 4, 2, []],
    [3, 4, 2, [[0, 3, 0]]],
    [4, 4, 2, [[0, 4, 0]]],
    [
      5,
      4,
      2,
      [
        [0, 4, 0],
        [2, 5, 4],
      ],
    ],
    [
      10,
      4,
      2,
      [
        [0, 4, 0],
        [2, 6, 4],
        [4, 8, 6],
        [6, 10, 8],
      ],
    ],
    [
      10,
      4,
      4,
      [
        [0, 4, 0],
        [4, 8, 4],
        [8, 10, 8],
      ],
    ],
    [
      7,
      3,
      1,
      [
        [0, 3, 0],
        [1, 4, 3],
        [2, 5, 4],
        [3, 6, 5],
        [4, 7, 6],
      ],
    ],
  ])("T=%i, context %i, stride %i", (T, N, S, expected) => {
    expect(planWindows(T, N, S).map((w) => [w.start, w.end, w.firstRow])).toEqual(expected);
  });

  it("takes every row exactly once, in order, each with ≥ N − S tokens of context after the first window", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (T, N, s) => {
          const S = Math.min(s, N);
          const ws = planWindows(T, N, S);
          let next = 0;
          for (const [k, w] of ws.entries()) {
            expect(w.end - w.start).toBeLessThanOrEqual(N);
            expect(w.firstRow).toBe(next);
            expect(w.end).toBeGreaterThan(w.firstRow);
            // Row i sits at window offset i − start: its context is i − start + 1 tokens.
            if (k > 0) expect(w.firstRow - w.start + 1).toBeGreaterThanOrEqual(N - S + 1);
            next = w.end;
          }
          expect(next).toBe(T);
        },
      ),
    );
  });
});
