import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auxUniform } from "../../src/auxUniform.js";
import { createSamplingContext, dist, topK, uniform } from "../../src/index.js";
import { xtc } from "../../src/samplers/xtc.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { keptSet, order, run, softmaxRef } from "./stageHelpers.js";

const L = Math.log;
/** Reference from llama.cpp's definition: sort by p desc, pos_last = last index with p ≥ t, drop [0, pos_last). */
function xtcRef(row: number[], threshold: number, minKeep = 1): number[] {
  const p = softmaxRef(row);
  const ord = order(row);
  let posLast = 0;
  for (let i = 0; i < ord.length; i++) {
    if (p[ord[i]!]! >= threshold) posLast = i;
    else break;
  }
  const kept = ord.length - posLast >= minKeep && posLast > 0 ? ord.slice(posLast) : ord;
  return kept.sort((a, b) => a - b);
}

describe("xtc", () => {
  const row = [L(0.5), L(0.3), L(0.15), L(0.05)];
  it.each([
    { threshold: 0.1, want: [2, 3], note: "0.5, 0.3, 0.15 are top choices; the least likely (0.15) stays" },
    { threshold: 0.2, want: [1, 2, 3], note: "0.5 and 0.3 are top choices; 0.3 stays" },
    { threshold: 0.4, want: [0, 1, 2, 3], note: "only one top choice: nothing removed" },
    { threshold: 0.51, want: [0, 1, 2, 3], note: "threshold above 0.5 turns it off" },
    { threshold: 0, want: [3], note: "threshold 0: every token is a top choice, the least likely stays" },
  ])("at probability 1 with threshold $threshold keeps $want ($note)", ({ threshold, want }) => {
    expect(keptSet(row, xtc({ probability: 1, threshold }))).toEqual(want);
  });

  it("honours minKeep and probability 0", () => {
    expect(keptSet(row, xtc({ probability: 1, threshold: 0.1, minKeep: 3 }))).toEqual([0, 1, 2, 3]);
    expect(keptSet(row, xtc({ probability: 1, threshold: 0.1, minKeep: 2 }))).toEqual([2, 3]);
    expect(keptSet(row, xtc({ probability: 0, threshold: 0.1 }))).toEqual([0, 1, 2, 3]);
  });

  it("keeps a sorted set sorted and the tie rule (the higher id of a tie is the least likely)", () => {
    const r = run([1, 1, 1, -5, -6], topK(4), xtc({ probability: 1, threshold: 0.2 }));
    expect(r.ids).toEqual([2, 3]);
    expect(r.sorted).toBe(true);
  });

  it("acts exactly when auxUniform(seed, stream, step) ≤ probability (words 2–3, not dist's draw)", () => {
    let acted = 0;
    for (let stream = 0; stream < 200; stream++) {
      const r = run(row);
      xtc({ probability: 0.3, threshold: 0.1 }).apply(
        r.c,
        createSamplingContext(4, { seed: 5, stream, step: 2 }),
      );
      const did = r.c.size === 2;
      expect(did).toBe(auxUniform(5, stream, 2) <= 0.3);
      if (did) acted++;
      expect(auxUniform(5, stream, 2)).not.toBe(uniform(5, stream, 2));
    }
    expect(acted).toBeGreaterThan(40);
    expect(acted).toBeLessThan(80);
  });

  it("agrees with llama.cpp's definition on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 2, maxLength: 60 }),
        fc.constantFrom(0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5),
        fc.integer({ min: 1, max: 4 }),
        (ints, t, minKeep) => {
          const r = ints.map((v) => v / 4);
          expect(keptSet(r, xtc({ probability: 1, threshold: t, minKeep }))).toEqual(xtcRef(r, t, minKeep));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it("draws from the mixture probability · p_xtc + (1 − probability) · p (χ² at a fixed seed)", () => {
    const p = softmaxRef(row);
    const after = [0, 0, 0.15 / 0.2, 0.05 / 0.2];
    const want = p.map((v, i) => 0.4 * after[i]! + 0.6 * v);
    const counts = drawCounts(row, () => [xtc({ probability: 0.4, threshold: 0.1 }), dist()], 40_000, 1);
    const { stat, df } = chiSquare(counts, want);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });
});
