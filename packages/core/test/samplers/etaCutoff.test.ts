import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dist } from "../../src/index.js";
import { etaCutoff } from "../../src/samplers/etaCutoff.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { keptSet, order, softmaxRef } from "./stageHelpers.js";

const L = Math.log;

/** Hugging Face's EtaLogitsWarper in float64: η = min(ε, √ε·e^−H), drop p < η, keep the minKeep best. */
function etaRef(row: number[], eps: number, minKeep = 1): number[] {
  const p = softmaxRef(row);
  const h = -p.reduce((s, q) => (q > 0 ? s + q * Math.log(q) : s), 0);
  const eta = Math.min(eps, Math.sqrt(eps) * Math.exp(-h));
  const keep = new Set(p.flatMap((v, i) => (v >= eta ? [i] : [])));
  for (const i of order(row).slice(0, minKeep)) keep.add(i);
  return [...keep].sort((a, b) => a - b);
}

describe("etaCutoff", () => {
  // p = [0.7, 0.2, 0.1]: H = −(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.80182
  const row = [L(0.7), L(0.2), L(0.1)];
  it.each([
    { eps: 0.09, want: [0, 1, 2], note: "η = min(0.09, 0.3 · 0.4485 = 0.1346) = 0.09; all stay" },
    { eps: 0.15, want: [0, 1], note: "η = min(0.15, 0.3873 · 0.4485 = 0.1737) = 0.15; 0.1 dropped" },
    {
      eps: 0.25,
      want: [0],
      note: "η = min(0.25, 0.5 · 0.4485 = 0.2243) = 0.2243 (the entropy term); 0.2 dropped",
    },
    { eps: 0.5, want: [0], note: "η = min(0.5, 0.7071 · 0.4485 = 0.3171); only 0.7 stays" },
    { eps: 0, want: [0, 1, 2], note: "ε = 0 is off" },
  ])("with ε = $eps keeps $want ($note)", ({ eps, want }) => {
    expect(keptSet(row, etaCutoff(eps))).toEqual(want);
  });

  it("a flat row (high entropy) lowers η below ε", () => {
    // 100 equal tokens: H = ln 100, √ε·e^−H = √0.02 / 100 = 0.00141 < 0.01 = p → all kept although p < ε
    expect(keptSet(new Array(100).fill(0), etaCutoff(0.02))).toHaveLength(100);
  });

  it("agrees with Hugging Face's definition on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(3e-4, 2e-3, 0.01, 0.1),
        fc.integer({ min: 1, max: 3 }),
        (ints, eps, minKeep) => {
          const r = ints.map((v) => v / 5);
          expect(keptSet(r, etaCutoff(eps, { minKeep }))).toEqual(etaRef(r, eps, minKeep));
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  it("then dist draws from the renormalized survivors (χ² at a fixed seed)", () => {
    const counts = drawCounts(row, () => [etaCutoff(0.15), dist()], 30_000, 2);
    const { stat, df } = chiSquare(counts, [0.7 / 0.9, 0.2 / 0.9, 0]);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });
});
