import type { Candidates } from "../candidates.js";
import { candidateMax } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { thresholdFilter } from "./thresholdFilter.js";

/**
 * Min-p: keeps the tokens whose probability is at least `m` times the largest one.
 *
 * Exact definition: keep candidates with `logit ≥ max + ln m` (the same set as `p ≥ m · p_max`,
 * decided in logit space with no exponential), and at least `minKeep` of them (the best, ties → lower
 * id). `m ≤ 0` is a no-op; `m = 1` keeps the tokens tied with the max; `m > 1` keeps exactly the
 * `minKeep` best (nothing can reach the threshold).
 *
 * @param m - Relative threshold; meaningful in (0, 1].
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"min_p"`.
 *
 * @example
 * ```ts
 * // logits [0, ln 0.5, ln 0.04] (p ∝ 1, 0.5, 0.04) with min_p(0.05) → ids [0, 1]
 * minP(0.05).apply(candidates, ctx);
 * ```
 *
 * References: Nguyen et al. 2024, "Min p sampling"; llama.cpp `llama_sampler_min_p_apply`.
 */
export function minP(m: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const lnM = m > 0 ? (Number.isFinite(m) ? portableLog(m) : Number.POSITIVE_INFINITY) : 0; // engine-independent
  const stage: SamplerStage = {
    name: "min_p",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (!(m > 0) || c.size <= 1) return;
      thresholdFilter(c, candidateMax(c) + lnM, minKeep, ctx);
    },
    clone() {
      return minP(m, { minKeep });
    },
  };
  return withFastPath(stage, { effect: !(m > 0) ? IDENTITY : OTHER });
}
