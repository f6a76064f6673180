import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createSampler, type SamplerStage } from "../../src/index.js";
import { setKernelBackend } from "../../src/kernels/dispatch.js";

const noop: SamplerStage = { name: "noop", apply() {}, clone: () => noop };

/**
 * Samples once and returns the ids top_p kept: with `fast`, top_p leads the chain and takes its SIMD
 * nucleus fast path; otherwise a custom no-op stage first makes the chain run the exact float64 stage.
 */
function nucleus(row: Float32Array, p: number, fast = true): number[] {
  let kept: number[] = [];
  // A custom stage right after top_p sees the candidates top_p left (the lead keeps its fast path).
  const spy: SamplerStage = {
    name: "spy",
    apply(c) {
      kept = Array.from(c.ids.subarray(0, c.size)).sort((a, b) => a - b);
    },
    clone: () => spy,
  };
  const stages = [{ after: "top_p", stage: spy }];
  if (!fast) stages.push({ after: "penalties", stage: noop });
  createSampler({ topP: p }, { stages }).sample(row);
  return kept;
}

describe("top-p fast path: the edge decided in float64 (issue 18 fix a)", () => {
  afterAll(() => setKernelBackend("auto"));

  /**
   * The definition in float64 on the float32 logits (written here from it, not from the code): order
   * by (logit desc, id asc), keep the shortest prefix whose running sum of exp(logit − max) reaches
   * p · Σ exp(logit − max).
   */
  function reference(row: Float32Array, p: number): number[] {
    const x = Array.from(row);
    const m = Math.max(...x);
    const e = x.map((v) => Math.exp(v - m));
    const target = p * e.reduce((a, b) => a + b, 0);
    const order = x.map((_, i) => i).sort((a, b) => x[b]! - x[a]! || a - b);
    const kept: number[] = [];
    let cum = 0;
    for (const i of order) {
      kept.push(i);
      cum += e[i]!;
      if (cum >= target) break;
    }
    return kept.sort((a, b) => a - b);
  }

  const std = Float32Array.from([0.1, 0.2, 0.3, 0.4].map(Math.log));
  const flat = Float32Array.from({ length: 10 }, () => Math.log(0.1));

  it("keeps 3 tokens of log([.1, .2, .3, .4]) at p = 0.9, as the exact stage does (both backends)", () => {
    for (const backend of ["wasm-simd", "js"] as const) {
      setKernelBackend(backend);
      expect(nucleus(std, 0.9)).toEqual([1, 2, 3]);
      expect(nucleus(std, 0.9, false)).toEqual([1, 2, 3]);
      expect(reference(std, 0.9)).toEqual([1, 2, 3]);
    }
  });

  // p 1e-9 from a prefix mass: decided far outside float64 rounding (~1e-16), well inside the float32
  // sums' error (~1e-7), so a float32 edge gets these wrong. Expected: the float64 reference, and by
  // hand where the float32 rounding of the logits (~1e-7) cannot move the prefix masses past p.
  const table: { row: Float32Array; p: number; hand?: number[] }[] = [
    { row: std, p: 0.9 - 1e-9 },
    { row: std, p: 0.9 + 1e-9 },
    { row: std, p: 0.7 + 1e-9 },
    { row: std, p: 0.7 - 1e-9 },
    { row: std, p: 0.4 + 1e-9 },
    { row: std, p: 0.9 + 1e-5, hand: [0, 1, 2, 3] },
    { row: std, p: 0.7 - 1e-5, hand: [2, 3] },
    { row: flat, p: 0.8 - 1e-9, hand: [0, 1, 2, 3, 4, 5, 6, 7] }, // equal logits: exact masses
    { row: flat, p: 0.8 + 1e-9, hand: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
    { row: flat, p: 0.5 + 1e-9, hand: [0, 1, 2, 3, 4, 5] },
    { row: Float32Array.from([2, 1, 0, -1]), p: 0.5, hand: [0] }, // e/(e + 1 + 1/e + 1/e²) = 0.644
  ];

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`keeps the float64 definition's set where float32 would decide the edge (${backend})`, () => {
      setKernelBackend(backend);
      for (const { row, p, hand } of table) {
        const want = reference(row, p);
        if (hand !== undefined) expect(want).toEqual(hand);
        expect(nucleus(row, p)).toEqual(want);
        expect(nucleus(row, p, false)).toEqual(want);
      }
    });
  }

  it("equals the exact stage on rows built to put the edge on p (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 200 }),
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom(0, 1e-9, -1e-9, 1e-7, -1e-7),
        (weights, pct, nudge) => {
          // Probabilities w_i / Σw and p = a prefix mass (± a nudge) put the edge on p.
          const total = weights.reduce((a, b) => a + b, 0);
          const row = Float32Array.from(weights, (w) => Math.log(w / total));
          const sorted = weights.slice().sort((a, b) => b - a);
          const cut = Math.max(1, Math.round((pct / 100) * sorted.length));
          const p = sorted.slice(0, cut).reduce((a, b) => a + b, 0) / total + nudge;
          if (!(p > 0 && p < 1)) return;
          expect(nucleus(row, p)).toEqual(nucleus(row, p, false));
        },
      ),
      { seed: 1812, numRuns: 500 },
    );
  });
});
