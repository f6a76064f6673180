import { describe, expect, it } from "vitest";
import type { SamplerParams } from "../../src/index.js";
import { createSamplingContext, dist, sampleBatch, uniform } from "../../src/index.js";
import { minPRef, NEG, run, softmaxRef, topKRef, topPRef, typicalRef } from "./stageHelpers.js";

// χ² critical values at p = 0.001 by degrees of freedom (standard tables).
const CHI2_001 = [Number.NaN, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877];

/** Draws `n` tokens from `row` with `params` (one batch row per draw: streams 0..n−1, step 0). */
function draw(row: number[], params: SamplerParams, n: number): number[] {
  const v = row.length;
  const data = new Float32Array(n * v);
  for (let r = 0; r < n; r++) data.set(row, r * v);
  const counts = new Array<number>(v).fill(0);
  for (const t of sampleBatch(data, n, v, params).tokens) counts[t]!++;
  return counts;
}

/** Renormalized softmax of `row` (at temperature t) restricted to `keep`. */
function restricted(row: number[], keep: number[], t = 1): number[] {
  const p = softmaxRef(row.map((x) => x / t));
  const z = keep.reduce((s, i) => s + p[i]!, 0);
  return row.map((_, i) => (keep.includes(i) ? p[i]! / z : 0));
}

const row = [1.0, 2.0, NEG, 0.5, 1.5, -1.0, NEG, 0.0];
const all = [0, 1, 3, 4, 5, 7];
const N = 40_000;

describe("dist", () => {
  it("selects by inverse CDF with u = uniform(seed, stream, step), strictly above u·Z", () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const logits = p.map(Math.log);
    for (let stream = 0; stream < 50; stream++) {
      const u = uniform(9, stream, 4);
      let want = 0;
      let cum = p[0]!;
      while (cum <= u) cum += p[++want]!; // reference from the definition, in float64 probabilities
      const data = Float32Array.from(logits);
      const r = run(logits, dist());
      const ctx = createSamplingContext(4, { seed: 9, stream, step: 4 });
      dist().apply(r.c, ctx);
      expect(r.ids[r.c.selected]).toBe(want);
      expect(data.length).toBe(4);
    }
  });

  const cases: { name: string; params: SamplerParams; expected: number[] }[] = [
    { name: "plain dist", params: {}, expected: restricted(row, all) },
    { name: "temperature 0.7", params: { temperature: 0.7 }, expected: restricted(row, all, 0.7) },
    { name: "top-k 3", params: { topK: 3 }, expected: restricted(row, topKRef(row, 3)) },
    { name: "top-p 0.8", params: { topP: 0.8 }, expected: restricted(row, topPRef(row, 0.8)) },
    { name: "min-p 0.3", params: { minP: 0.3 }, expected: restricted(row, minPRef(row, 0.3)) },
    // top-n-sigma 1 over finite [1, 2, 0.5, 1.5, −1, 0]: mean 0.667, σ ≈ 0.986 → keep ≥ 1.014: ids 1, 4
    { name: "top-n-sigma 1", params: { topNSigma: 1 }, expected: restricted(row, [1, 4]) },
    { name: "typical-p 0.5", params: { typicalP: 0.5 }, expected: restricted(row, typicalRef(row, 0.5)) },
    {
      name: "default chain (T 0.8, top-k 5, top-p 0.95, min-p 0.05)",
      params: { temperature: 0.8, topK: 5, topP: 0.95, minP: 0.05 },
      expected: (() => {
        const scaled = row.map((x) => x / 0.8);
        const k5 = topKRef(scaled, 5);
        const sub = k5.map((i) => scaled[i]!);
        const nucleus = topPRef(sub, 0.95).map((j) => k5[j]!);
        const sub2 = nucleus.map((i) => scaled[i]!);
        const kept = minPRef(sub2, 0.05).map((j) => nucleus[j]!);
        return restricted(row, kept, 0.8);
      })(),
    },
  ];

  it.each(cases)(
    "draws match the filtered, renormalized distribution after $name (χ², 40,000 draws, p = 0.001)",
    ({ params, expected }) => {
      const counts = draw(row, { ...params, seed: 1234 }, N);
      let chi2 = 0;
      let df = -1;
      for (let i = 0; i < row.length; i++) {
        if (expected[i] === 0) {
          expect(counts[i], `token ${i} is masked or filtered and must never be drawn`).toBe(0);
          continue;
        }
        const e = expected[i]! * N;
        chi2 += (counts[i]! - e) ** 2 / e;
        df++;
      }
      if (df === 0) expect(chi2).toBe(0);
      else expect(chi2).toBeLessThan(CHI2_001[df]!);
    },
  );

  it("a stage leaving one token makes the draw deterministic (temperature 0)", () => {
    const counts = draw(row, { temperature: 0, seed: 5 }, 2000);
    expect(counts[1]).toBe(2000);
  });
});
