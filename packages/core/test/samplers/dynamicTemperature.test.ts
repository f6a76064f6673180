import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dist, temperature } from "../../src/index.js";
import { dynamicTemperature } from "../../src/samplers/dynamicTemperature.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { NEG, run, softmaxRef } from "./stageHelpers.js";

const L = Math.log;

/** llama.cpp's temp_ext in float64: T_dyn from the normalized entropy, then (l − max)/T_dyn. */
function dynRef(row: number[], t: number, delta: number, exponent: number): number[] {
  const p = softmaxRef(row);
  const h = -p.reduce((s, q) => (q > 0 ? s + q * Math.log(q) : s), 0);
  const tMin = Math.max(0, t - delta);
  const tDyn = tMin + (t + delta - tMin) * Math.min(1, h / Math.log(row.length)) ** exponent;
  const m = Math.max(...row);
  return row.map((v) => (v - m) / tDyn);
}

describe("dynamicTemperature", () => {
  it.each([
    // H = ln 2 = H_max → T_dyn = T + δ = 1.5
    { row: [L(0.5), L(0.5)], t: 1, delta: 0.5, exponent: 1, tDyn: 1.5 },
    // H(0.9, 0.1) = 0.325083; / ln 2 = 0.468996 → 0.5 + 1 · 0.468996
    { row: [L(0.9), L(0.1)], t: 1, delta: 0.5, exponent: 1, tDyn: 0.968996 },
    // exponent 2: 0.5 + 0.468996² = 0.719957
    { row: [L(0.9), L(0.1)], t: 1, delta: 0.5, exponent: 2, tDyn: 0.719957 },
    // H = 0 (one live token out of two): T_dyn = T_min = max(0, 0.3 − 0.5) = 0 → greedy
    { row: [0, NEG], t: 0.3, delta: 0.5, exponent: 1, tDyn: 0 },
  ])("row $row, T $t, δ $delta, exponent $exponent → T_dyn = $tDyn", ({ row, t, delta, exponent, tDyn }) => {
    const got = run(row, dynamicTemperature({ temperature: t, range: delta, exponent }));
    if (tDyn === 0) {
      expect(got.ids).toEqual([0]);
      return;
    }
    const m = Math.max(...row);
    got.logits.forEach((v, i) => {
      expect(v).toBeCloseTo((row[got.ids[i]!]! - m) / tDyn, 5);
    });
  });

  it("with δ ≤ 0 is exactly the fixed temperature stage", () => {
    const row = [0.5, -1, 2, 0];
    expect(run(row, dynamicTemperature({ temperature: 0.7, range: 0 })).logits).toEqual(
      run(row, temperature(0.7)).logits,
    );
  });

  it("agrees with llama.cpp's definition on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 2, maxLength: 100 }),
        fc.constantFrom(0.5, 1, 1.5),
        fc.constantFrom(0.25, 0.5, 1),
        fc.constantFrom(0.5, 1, 2),
        (ints, t, delta, exponent) => {
          const row = ints.map((v) => v / 8);
          const want = dynRef(row, t, delta, exponent);
          const got = run(row, dynamicTemperature({ temperature: t, range: delta, exponent }));
          got.ids.forEach((id, i) => {
            expect(Math.abs(got.logits[i]! - want[id]!)).toBeLessThanOrEqual(
              1e-5 * (1 + Math.abs(want[id]!)),
            );
          });
        },
      ),
      { seed: 8, numRuns: 200 },
    );
  });

  it("then dist draws from softmax(row / T_dyn) (χ² at a fixed seed)", () => {
    const row = [L(0.9), L(0.1)];
    const counts = drawCounts(
      row,
      () => [dynamicTemperature({ temperature: 1, range: 0.5 }), dist()],
      30_000,
      4,
    );
    const { stat, df } = chiSquare(counts, softmaxRef(row.map((v) => v / 0.968996)));
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });
});
