import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dist, topK } from "../../src/index.js";
import { epsilonCutoff } from "../../src/samplers/epsilonCutoff.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { keptSet, NEG, order, run, softmaxRef } from "./stageHelpers.js";

const L = Math.log;

/** Hugging Face's EpsilonLogitsWarper in float64: drop p < ε, but never the minKeep best (our tie rule). */
export function epsilonRef(row: number[], eps: number, minKeep = 1): number[] {
  const p = softmaxRef(row);
  const keep = new Set(p.flatMap((v, i) => (v >= eps ? [i] : [])));
  for (const i of order(row).slice(0, minKeep)) keep.add(i);
  return [...keep].sort((a, b) => a - b);
}

describe("epsilonCutoff", () => {
  const row = [L(0.6), L(0.3), L(0.09), L(0.01)];
  it.each([
    { eps: 0, want: [0, 1, 2, 3] },
    { eps: 0.009, want: [0, 1, 2, 3] },
    { eps: 0.05, want: [0, 1, 2] },
    { eps: 0.1, want: [0, 1] },
    { eps: 0.5, want: [0] },
    { eps: 0.9, want: [0] },
  ])("with ε = $eps keeps $want", ({ eps, want }) => {
    expect(keptSet(row, epsilonCutoff(eps))).toEqual(want);
  });

  it("keeps the minKeep best and the order of a sorted set", () => {
    expect(keptSet(row, epsilonCutoff(0.9, { minKeep: 3 }))).toEqual([0, 1, 2]);
    const r = run([...row, NEG], topK(4), epsilonCutoff(0.05));
    expect(r.ids).toEqual([0, 1, 2]);
    expect(r.sorted).toBe(true);
  });

  it("agrees with Hugging Face's definition on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(3e-4, 1e-3, 0.01, 0.05, 0.2),
        fc.integer({ min: 1, max: 3 }),
        (ints, eps, minKeep) => {
          const r = ints.map((v) => v / 5);
          expect(keptSet(r, epsilonCutoff(eps, { minKeep }))).toEqual(epsilonRef(r, eps, minKeep));
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });

  it("then dist draws from the renormalized survivors (χ² at a fixed seed)", () => {
    const counts = drawCounts(row, () => [epsilonCutoff(0.05), dist()], 30_000, 2);
    const { stat, df } = chiSquare(counts, [0.6 / 0.99, 0.3 / 0.99, 0.09 / 0.99, 0]);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });
});
