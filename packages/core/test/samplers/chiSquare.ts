// χ² helpers for the sampler tests: draw many tokens with a stage list at fixed seeds (one stream per
// draw), then compare the counts to the expected distribution.
import type { CreateSamplerOptions, SamplerParams, SamplerStage } from "../../src/index.js";
import { createCandidates, createSampler, createSamplingContext, loadCandidates } from "../../src/index.js";

/** χ² critical values at p = 0.001 by degrees of freedom (standard tables). */
export const CHI2_001 = [Number.NaN, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877];

/** Counts of the tokens selected by `stages()` (fresh stages per draw) on `row`, streams 0…n−1. */
export function drawCounts(row: number[], stages: () => SamplerStage[], n: number, seed = 1): number[] {
  const data = Float32Array.from(row);
  let max = Number.NEGATIVE_INFINITY;
  for (const v of data) if (v > max) max = v;
  const counts = new Array<number>(row.length).fill(0);
  const c = createCandidates();
  for (let s = 0; s < n; s++) {
    loadCandidates(c, data, 0, data.length, max);
    const ctx = createSamplingContext(data.length, { seed, stream: s, step: 0 });
    for (const st of stages()) st.apply(c, ctx);
    counts[c.ids[c.selected]!]!++;
  }
  return counts;
}

/** Pearson's χ² of `counts` against probabilities `p` (cells with p = 0 must have count 0). */
export function chiSquare(counts: number[], p: number[]): { stat: number; df: number } {
  const n = counts.reduce((a, b) => a + b, 0);
  let stat = 0;
  let df = -1;
  for (let i = 0; i < counts.length; i++) {
    if (p[i] === 0) {
      if (counts[i] !== 0) return { stat: Number.POSITIVE_INFINITY, df: 1 };
      continue;
    }
    const e = n * p[i]!;
    stat += (counts[i]! - e) ** 2 / e;
    df++;
  }
  return { stat, df };
}

/**
 * Counts of the tokens the full sampler (`createSampler(params)`) picks on `row` after accepting
 * `history`: draw d resumes the saved state at stream d mod 64, step ⌊d / 64⌋ (so the draws cover
 * several streams and steps of one seed), samples once and throws the sampler away.
 */
export function samplerCounts(
  params: SamplerParams,
  history: readonly number[],
  row: readonly number[],
  n: number,
  opts: Omit<CreateSamplerOptions, "state" | "stream"> = {},
): number[] {
  const data = Float32Array.from(row);
  const base = createSampler(params, opts);
  for (const t of history) base.accept(t);
  // JSON text, parsed per draw: no draw can touch the arrays the next one resumes from.
  const saved = JSON.stringify(base.state());
  const counts = new Array<number>(row.length).fill(0);
  for (let d = 0; d < n; d++) {
    const s = createSampler(params, {
      ...opts,
      state: { ...JSON.parse(saved), stream: d % 64, step: Math.floor(d / 64) },
    });
    counts[s.sample(data).token]!++;
  }
  return counts;
}
