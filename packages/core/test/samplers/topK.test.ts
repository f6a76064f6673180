import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topK } from "../../src/index.js";
import { keptSet, NEG, run, topKRef } from "./stageHelpers.js";

describe("topK", () => {
  const row = [1, 5, 3, 5, -2, 0];
  it.each([
    { k: 0, want: [0, 1, 2, 3, 4, 5], note: "k = 0 is a no-op" },
    { k: -3, want: [0, 1, 2, 3, 4, 5], note: "negative k is a no-op" },
    { k: 6, want: [0, 1, 2, 3, 4, 5], note: "k = V is a no-op" },
    { k: 100, want: [0, 1, 2, 3, 4, 5], note: "k > V is a no-op" },
    { k: 1, want: [1], note: "the tie between ids 1 and 3 goes to the lower id" },
    { k: 2, want: [1, 3], note: "both tied maxima" },
    { k: 3, want: [1, 3, 2], note: "then the next highest" },
    { k: 5, want: [1, 3, 2, 0, 5], note: "all but the lowest" },
  ])("keeps exactly k = $k highest logits in order ($note)", ({ k, want }) => {
    const r = run(row, topK(k));
    if (k <= 0 || k >= row.length) {
      expect(r.ids).toEqual(want);
      expect(r.sorted).toBe(false);
    } else {
      expect(r.ids).toEqual(want);
      expect(r.sorted).toBe(true);
      expect(r.logits).toEqual(want.map((i) => row[i]));
    }
  });

  it("keeps -Infinity-masked tokens last and only when k exceeds the finite ones", () => {
    expect(run([NEG, 2, NEG, 1], topK(3)).ids).toEqual([1, 3, 0]);
    expect(run([NEG, 2, NEG, 1], topK(2)).ids).toEqual([1, 3]);
  });

  it("breaks many-way ties by the lowest ids", () => {
    expect(run([0, 0, 0, 0, 0, 0], topK(3)).ids).toEqual([0, 1, 2]);
  });

  it("selects the same set as a full sort for any row and k (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: -2, max: 210 }),
        (ints, k) => {
          const row = ints.map((v) => v / 4); // coarse grid → many ties
          expect(keptSet(row, topK(k))).toEqual(topKRef(row, k));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
