import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { minP, topK } from "../../src/index.js";
import { keptSet, minPRef, NEG, run } from "./stageHelpers.js";

const L = Math.log;

describe("minP", () => {
  // p ∝ 1, 0.5, 0.04, 0.1 (p_max ∝ 1)
  const row = [0, L(0.5), L(0.04), L(0.1)];
  it.each([
    { m: 0, want: [0, 1, 2, 3], note: "m = 0 is a no-op" },
    { m: -0.5, want: [0, 1, 2, 3], note: "negative m is a no-op" },
    { m: 0.05, want: [0, 1, 3], note: "0.04 < 0.05 · 1 is dropped" },
    { m: 0.09, want: [0, 1, 3], note: "0.1 ≥ 0.09 stays" },
    { m: 0.11, want: [0, 1], note: "0.1 < 0.11 is dropped" },
    { m: 0.6, want: [0], note: "only the max" },
    { m: 1, want: [0], note: "m = 1 keeps the max (and its ties)" },
    { m: 1.5, want: [0], note: "m > 1 keeps the single best token (minKeep 1)" },
  ])("keeps tokens with p ≥ m · p_max for m = $m ($note)", ({ m, want }) => {
    expect(keptSet(row, minP(m))).toEqual(want);
  });

  it("keeps all tokens tied with the max at m = 1 and honours minKeep", () => {
    expect(keptSet([2, 1, 2, 0], minP(1))).toEqual([0, 2]);
    expect(run([2, 1, 2, 0], minP(2, { minKeep: 3 })).ids).toEqual([0, 2, 1]);
  });

  it("drops -Infinity-masked tokens and keeps the id order on an unsorted set", () => {
    const r = run([NEG, 1, 0.5, NEG, -5], minP(0.05));
    expect(r.ids).toEqual([1, 2]);
    expect(r.sorted).toBe(false);
  });

  it("cuts a sorted set (after top-k) as a prefix", () => {
    expect(run([0, L(0.5), L(0.04), L(0.1)], topK(3), minP(0.2)).ids).toEqual([0, 1]);
  });

  it("equals the probability-space definition on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.01, 0.05, 0.1, 0.3, 0.5),
        (ints, m) => {
          const row = ints.map((v) => v / 8);
          expect(keptSet(row, minP(m))).toEqual(minPRef(row, m));
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });
});
