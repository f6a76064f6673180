import { auxUniform } from "../auxUniform.js";
import type { Candidates } from "../candidates.js";
import { computeProbs } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";

/** Options of {@link xtc}. */
export interface XtcOptions {
  /** Chance in [0, 1] that the stage acts on a given step; 0 = off. */
  probability: number;
  /** Probability threshold; a token is a "top choice" when p ≥ threshold. Above 0.5 = off. */
  threshold: number;
  /** Never leave fewer candidates than this (integer ≥ 1, default 1). */
  minKeep?: number;
}

/**
 * XTC ("exclude top choices"): with chance `probability`, removes every token whose probability is at
 * least `threshold` except the least likely of them, so the text leaves its most predictable path
 * while staying among plausible tokens.
 *
 * Exact definition (llama.cpp's): no-op when `probability ≤ 0`, `threshold > 0.5` or fewer than two
 * candidates. Otherwise draw u = {@link auxUniform}`(seed, stream, step)` — words 2–3 of the Philox
 * block whose words 0–1 are `dist`'s draw, so the coin never reuses the token draw's bits — and act
 * only when `u ≤ probability`. Acting: with p_i the softmax of the candidates (float64, decided as
 * `e_i ≥ threshold · Z`), let m be the number of tokens with p_i ≥ threshold; when m ≥ 2 and
 * `size − (m − 1) ≥ minKeep`, remove the m − 1 most likely of them (logit descending, ties → the lower
 * id first), keeping the last one. Candidate order is kept (sorted stays sorted, id order stays id order).
 *
 * @param opts - See {@link XtcOptions}.
 * @returns A stage named `"xtc"`.
 *
 * @example
 * ```ts
 * // p = [0.5, 0.3, 0.15, 0.05], threshold 0.1, probability 1 → tokens 0 and 1 removed, [2, 3] left
 * xtc({ probability: 1, threshold: 0.1 }).apply(candidates, ctx);
 * ```
 *
 * Method: one exp pass (reused by `dist`), one counting pass, one pass finding the least likely top
 * choice, one compaction — O(size), no sort.
 * References: the text-generation-webui XTC sampler (oobabooga, PR 6335); llama.cpp
 * `llama_sample_xtc_apply` (`src/llama-sampling.cpp`).
 */
export function xtc(opts: XtcOptions): SamplerStage {
  const probability = opts.probability;
  const threshold = opts.threshold;
  const minKeep = opts.minKeep ?? 1;
  const active = probability > 0 && threshold <= 0.5;
  const stage: SamplerStage = {
    name: "xtc",
    apply(c: Candidates, ctx: SamplingContext): void {
      const n = c.size;
      if (!active || n < 2) return;
      if (auxUniform(ctx.seed, ctx.stream, ctx.step) > probability) return;
      computeProbs(c);
      const probs = c.probs;
      const logits = c.logits;
      const ids = c.ids;
      const bound = threshold * c.probsSum;
      // The least likely top choice: lowest logit among p ≥ threshold, ties → the higher id (it comes
      // last in the sorted order). Unsorted sets are in id order, so `<=` picks the higher id.
      let m = 0;
      let last = -1;
      for (let i = 0; i < n; i++) {
        if (probs[i]! >= bound) {
          m++;
          if (last < 0 || logits[i]! < logits[last]! || (logits[i] === logits[last] && ids[i]! > ids[last]!))
            last = i;
        }
      }
      if (m < 2 || n - (m - 1) < minKeep) return;
      const keptMax = logits[last]!;
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (i !== last && probs[i]! >= bound) continue;
        ids[j] = ids[i]!;
        logits[j] = logits[i]!;
        probs[j] = probs[i]!;
        j++;
      }
      c.size = j;
      c.pristine = false;
      // The kept top choice is now the most likely token: a new max, so the exponentials (relative to
      // the old max) are recomputed by whoever needs them next.
      c.max = keptMax;
      c.probsValid = false;
    },
    clone() {
      return xtc(opts);
    },
  };
  return withFastPath(stage, { effect: active ? OTHER : IDENTITY });
}
