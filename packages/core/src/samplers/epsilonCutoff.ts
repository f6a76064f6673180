import type { Candidates } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { probabilityFilter } from "./probabilityFilter.js";

/**
 * Epsilon sampling: removes every token whose probability is below a fixed `epsilon`.
 *
 * Exact definition (Hugging Face's `EpsilonLogitsWarper`): with p the softmax of the candidates,
 * keep the tokens with p_i ≥ ε (decided in float64 as `e_i ≥ ε · Z`), and at least `minKeep` of them
 * (the best, ties → lower id; Hugging Face keeps every token tied with the `minKeep`-th). `ε ≤ 0` is a
 * no-op. The kept set keeps its order.
 *
 * @param epsilon - Probability cutoff; meaningful in (0, 1) (Hugging Face suggests 3e-4 … 9e-4).
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"epsilon_cutoff"`.
 *
 * @example
 * ```ts
 * // p = [0.6, 0.3, 0.09, 0.01] with epsilonCutoff(0.05) → tokens [0, 1, 2]
 * epsilonCutoff(0.05).apply(candidates, ctx);
 * ```
 *
 * References: Hewitt, Manning & Liang 2022, "Truncation Sampling as Language Model Desmoothing";
 * Hugging Face transformers `EpsilonLogitsWarper`.
 */
export function epsilonCutoff(epsilon: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const stage: SamplerStage = {
    name: "epsilon_cutoff",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (!(epsilon > 0)) return;
      probabilityFilter(c, epsilon, minKeep, ctx);
    },
    clone() {
      return epsilonCutoff(epsilon, { minKeep });
    },
  };
  return withFastPath(stage, { effect: epsilon > 0 ? OTHER : IDENTITY });
}
