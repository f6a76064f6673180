import type { Candidates } from "../candidates.js";
import { candidateMax } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { thresholdFilter } from "./thresholdFilter.js";

/**
 * Top-nσ: keeps the tokens whose logit is within `n` standard deviations of the maximum.
 *
 * Exact definition: over the finite candidate logits, mean μ and population standard deviation
 * σ = sqrt(Σ(l − μ)² / count) (float64, two passes); keep logits ≥ max − n·σ. `n ≤ 0` or a single
 * candidate is a no-op. The max is always kept.
 *
 * @param n - Number of standard deviations, ≥ 0.
 * @returns A stage named `"top_n_sigma"`.
 *
 * @example
 * ```ts
 * // logits [0, 1, 2, 3]: μ = 1.5, σ = √1.25 ≈ 1.118; n = 1 → keep ≥ 1.882 → ids [2, 3]
 * topNSigma(1).apply(candidates, ctx);
 * ```
 *
 * References: Tang et al. 2024, "Top-nσ: Not All Logits Are You Need"; llama.cpp
 * `llama_sampler_top_n_sigma_apply`.
 */
export function topNSigma(n: number): SamplerStage {
  const stage: SamplerStage = {
    name: "top_n_sigma",
    apply(c: Candidates, ctx: SamplingContext): void {
      const size = c.size;
      if (!(n > 0) || size <= 1) return;
      const logits = c.logits;
      let sum = 0;
      let count = 0;
      for (let i = 0; i < size; i++) {
        const v = logits[i]!;
        if (v !== Number.NEGATIVE_INFINITY) {
          sum += v;
          count++;
        }
      }
      const mean = sum / count;
      let ss = 0;
      for (let i = 0; i < size; i++) {
        const v = logits[i]!;
        if (v !== Number.NEGATIVE_INFINITY) ss += (v - mean) * (v - mean);
      }
      const sigma = Math.sqrt(ss / count);
      thresholdFilter(c, candidateMax(c) - n * sigma, 1, ctx);
    },
    clone() {
      return topNSigma(n);
    },
  };
  return withFastPath(stage, { effect: !(n > 0) ? IDENTITY : OTHER });
}
