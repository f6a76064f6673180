import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topK, topP } from "../../src/index.js";
import { keptSet, NEG, run, topPRef } from "./stageHelpers.js";

const L = Math.log;

describe("topP", () => {
  // probabilities 0.5, 0.3, 0.2 (logits are their logs), given out of order
  const row = [L(0.3), L(0.5), L(0.2)];
  it.each([
    { p: 1, want: [0, 1, 2], note: "p = 1 is a no-op" },
    { p: 0.4, want: [1], note: "the top token alone already has 0.5 ≥ 0.4" },
    { p: 0.5, want: [1], note: "0.5 ≥ 0.5: the threshold is reached, not exceeded" },
    { p: 0.79, want: [0, 1], note: "0.8 ≥ 0.79" },
    { p: 0.81, want: [0, 1, 2], note: "0.8 < 0.81 needs the third token" },
    { p: 1e-9, want: [1], note: "tiny p keeps at least one token" },
  ])("keeps the smallest most-probable set with mass ≥ p = $p, in id order ($note)", ({ p, want }) => {
    const r = run(row, topP(p));
    expect(r.ids).toEqual(want);
    expect(r.sorted).toBe(false);
  });

  it("breaks ties inside the cut toward the lower id", () => {
    // four equal tokens: 0.25 each; p = 0.5 → two tokens, the lower ids
    expect(run([0, 0, 0, 0], topP(0.5)).ids).toEqual([0, 1]);
    expect(run([0, 0, 0, 0], topP(0.51)).ids).toEqual([0, 1, 2]);
  });

  it("keeps at least minKeep tokens, the most probable ones", () => {
    expect(keptSet([5, 0, 1, 2, -1], topP(0.1, { minKeep: 3 }))).toEqual([0, 2, 3]);
    expect(keptSet([5, 0, 1, 2, -1], topP(0.1))).toEqual([0]);
  });

  it("never keeps -Infinity-masked tokens", () => {
    expect(keptSet([NEG, 1, NEG, 0, NEG], topP(0.999999))).toEqual([1, 3]);
  });

  it("cuts an already sorted set (after top-k) by the renormalized top-k distribution", () => {
    const r = [0.3, 2, -1, 1.2, 0.9, 2, -3];
    // the result equals the reference on the top-5 renormalized distribution
    const top5 = [1, 5, 3, 4, 0];
    const sub = top5.map((i) => r[i]!);
    expect(run(r, topK(5), topP(0.7)).ids.sort((a, b) => a - b)).toEqual(
      topPRef(sub, 0.7)
        .map((j) => top5[j]!)
        .sort((a, b) => a - b),
    );
  });

  it("equals the full-sort definition on large random rows (histogram path, property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -12, max: 12, noNaN: true, noDefaultInfinity: true }), {
          minLength: 2,
          maxLength: 3000,
        }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        (vals, p) => {
          const row = Array.from(Float32Array.from(vals));
          expect(keptSet(row, topP(p))).toEqual(topPRef(row, p));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it("handles rows whose mass spans more than the 64-nat histogram range", () => {
    const row = [0, -100, -200, -70, -64, -63.99];
    expect(keptSet(row, topP(0.5))).toEqual([0]);
    expect(keptSet(row, topP(1 - 1e-30))).toEqual(topPRef(row, 1 - 1e-30));
  });
});
