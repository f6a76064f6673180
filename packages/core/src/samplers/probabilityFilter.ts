import type { Candidates } from "../candidates.js";
import { computeProbs } from "../candidates.js";
import type { SamplingContext } from "../samplerStage.js";
import { selectTopK } from "./topK.js";

/**
 * Keeps the candidates whose probability is at least `cutoff` (decided in float64 as
 * `e_i ≥ cutoff · Z` on the exponentials `e_i = exp(logit_i − max)` and their sum `Z`), but at least
 * `min(minKeep, size)` of them (then the best ones, ties → lower id). The kernel behind
 * {@link epsilonCutoff}, {@link etaCutoff} and mirostat v2's truncation.
 *
 * @param c - Candidate set (non-empty).
 * @param cutoff - Probability threshold in [0, 1] (0 keeps everything).
 * @param minKeep - Integer ≥ 1.
 * @param ctx - Supplies scratch memory.
 * @returns Nothing; `c` is compacted in place (order kept, so a sorted set stays sorted and an
 * unsorted one stays in id order), its exponentials carried along (`probsValid` stays true).
 * @example
 * ```ts
 * probabilityFilter(c, 0.05, 1, ctx); // drops every token with p < 0.05
 * ```
 */
export function probabilityFilter(
  c: Candidates,
  cutoff: number,
  minKeep: number,
  ctx: SamplingContext,
): void {
  const n = c.size;
  if (!(cutoff > 0) || n <= 1) return;
  computeProbs(c);
  const probs = c.probs;
  const bound = cutoff * c.probsSum;
  let count = 0;
  for (let i = 0; i < n; i++) if (probs[i]! >= bound) count++;
  if (count === n) return;
  const need = Math.min(minKeep, n);
  if (count < need) {
    selectTopK(c, need, ctx);
    return;
  }
  const ids = c.ids;
  const logits = c.logits;
  let j = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = probs[i]!;
    if (e >= bound) {
      ids[j] = ids[i]!;
      logits[j] = logits[i]!;
      probs[j] = e;
      sum += e;
      j++;
    }
  }
  c.size = j;
  c.probsSum = sum;
  c.pristine = false;
  // count ≥ 1, so the largest e_i (the max, e = 1) passed the bound too: c.max stays valid.
}
