import type { Candidates } from "../candidates.js";
import { computeProbs } from "../candidates.js";
import { portableExp } from "../portableExp.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { candidateEntropy } from "./candidateEntropy.js";
import { probabilityFilter } from "./probabilityFilter.js";

/**
 * Eta sampling: an entropy-dependent epsilon — removes tokens below `min(ε, √ε · e^(−H))`.
 *
 * Exact definition (Hugging Face's `EtaLogitsWarper`): with p the softmax of the candidates and
 * H = −Σ p_i ln p_i their entropy (nats, float64), η = min(ε, √ε · exp(−H)); keep the tokens with
 * p_i ≥ η, and at least `minKeep` of them (the best, ties → lower id). `ε ≤ 0` is a no-op.
 *
 * @param epsilon - The ε of the paper (Hugging Face's `eta_cutoff`), meaningful in (0, 1); 3e-4 … 2e-3 typical.
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"eta_cutoff"`.
 *
 * @example
 * ```ts
 * // p = [0.7, 0.2, 0.1]: H = 0.8018, η = min(0.1, √0.1 · e^−0.8018 = 0.1419) = 0.1 → all three kept;
 * // with ε = 0.2: η = min(0.2, 0.2007) = 0.2 → tokens [0, 1]
 * etaCutoff(0.2).apply(candidates, ctx);
 * ```
 *
 * Method: one exp pass (kept for `dist`), one entropy pass, one compaction.
 * References: Hewitt, Manning & Liang 2022, "Truncation Sampling as Language Model Desmoothing";
 * Hugging Face transformers `EtaLogitsWarper`.
 */
export function etaCutoff(epsilon: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const sqrtEps = Math.sqrt(epsilon);
  const stage: SamplerStage = {
    name: "eta_cutoff",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (!(epsilon > 0) || c.size <= 1) return;
      computeProbs(c);
      const h = candidateEntropy(c);
      const eta = Math.min(epsilon, sqrtEps * portableExp(-h));
      probabilityFilter(c, eta, minKeep, ctx);
    },
    clone() {
      return etaCutoff(epsilon, { minKeep });
    },
  };
  return withFastPath(stage, { effect: epsilon > 0 ? OTHER : IDENTITY });
}
