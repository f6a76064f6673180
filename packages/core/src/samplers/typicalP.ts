import type { Candidates } from "../candidates.js";
import { candidateMax, computeProbs } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { sortPairs } from "../sortPairs.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";

/**
 * Locally typical sampling: keeps the tokens whose surprisal is closest to the entropy, up to mass `p`.
 *
 * Exact definition: with probabilities p_i and entropy H = −Σ p_i ln p_i (float64), order candidates by
 * |−ln p_i − H| ascending (ties → the lower id) and keep the shortest prefix whose probability reaches
 * `p` (at least `minKeep`). The kept set is returned sorted by logit (descending, ties → lower id).
 * `p ≥ 1` or a single candidate is a no-op. Note: llama.cpp stops when the sum *exceeds* p; we use
 * "reaches" to match top-p's definition.
 *
 * @param p - Typical mass in (0, 1].
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"typical_p"`.
 *
 * @example
 * ```ts
 * // p = [0.5, 0.25, 0.25]: H = 1.0397; |surprisal − H| = [0.346, 0.346, 0.346] → ties by id; typical_p(0.5) → id 0
 * typicalP(0.5).apply(candidates, ctx);
 * ```
 *
 * Method: one exp pass, one entropy pass, then a sort of the candidates by typicality (O(n log n):
 * this stage is off by default; put top-k or min-p before it for large vocabularies).
 * References: Meister et al. 2023, "Locally Typical Sampling"; llama.cpp `llama_sampler_typical_apply`.
 */
export function typicalP(p: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const stage: SamplerStage = {
    name: "typical_p",
    apply(c: Candidates, ctx: SamplingContext): void {
      const n = c.size;
      if (p >= 1 || n <= 1) return;
      computeProbs(c);
      const m = candidateMax(c);
      const z = c.probsSum;
      const logZ = portableLog(z); // engine-independent: it decides which tokens survive
      const logits = c.logits;
      const ids = c.ids;
      const probs = c.probs;
      let h = 0;
      for (let i = 0; i < n; i++) {
        const e = probs[i]!;
        if (e > 0) h -= (e / z) * (logits[i]! - m - logZ);
      }
      const s = ensureScratch(ctx.scratch, n);
      const keys = s.f64a;
      const tie = s.i32a;
      const pos = s.i32b;
      for (let i = 0; i < n; i++) {
        const e = probs[i]!;
        keys[i] = e > 0 ? Math.abs(-(logits[i]! - m - logZ) - h) : Number.POSITIVE_INFINITY;
        tie[i] = ids[i]!;
        pos[i] = i;
      }
      sortPairs(keys, tie, pos, n);
      const target = p * z;
      let kept = n;
      let cum = 0;
      for (let j = 0; j < n; j++) {
        cum += probs[pos[j]!]!;
        if (cum >= target) {
          kept = j + 1;
          break;
        }
      }
      if (kept < minKeep) kept = Math.min(minKeep, n);
      // re-sort the kept set by (logit desc, id asc) and move it to the front
      for (let j = 0; j < kept; j++) keys[j] = -logits[pos[j]!]!;
      sortPairs(keys, tie, pos, kept);
      const f32 = s.f32a;
      for (let j = 0; j < kept; j++) f32[j] = logits[pos[j]!]!;
      for (let j = 0; j < kept; j++) {
        ids[j] = tie[j]!;
        logits[j] = f32[j]!;
      }
      c.size = kept;
      c.pristine = false;
      c.sorted = true;
      c.max = logits[0]!;
      c.probsValid = false;
    },
    clone() {
      return typicalP(p, { minKeep });
    },
  };
  return withFastPath(stage, { effect: p >= 1 ? IDENTITY : OTHER });
}
