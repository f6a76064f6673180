import type { Candidates } from "../candidates.js";
import { truncateCandidates } from "../candidates.js";
import type { SamplingContext } from "../samplerStage.js";
import { selectTopK } from "./topK.js";

/**
 * Keeps the candidates whose logit is ≥ `threshold`, but at least `min(minKeep, size)` of them (then
 * the best ones, ties → lower id). The kernel behind {@link minP} and {@link topNSigma}.
 *
 * @param c - Candidate set (non-empty).
 * @param threshold - Logit threshold (any number; above the max keeps only `minKeep`).
 * @param minKeep - Integer ≥ 1.
 * @param ctx - Supplies scratch memory.
 * @example
 * ```ts
 * thresholdFilter(c, -1, 1, ctx); // drops every logit < -1
 * ```
 *
 * Method: a sorted set is cut at its prefix; an unsorted one is counted, then compacted stably (so
 * it stays in id order), carrying the cached probabilities along. O(size), no sort.
 */
export function thresholdFilter(
  c: Candidates,
  threshold: number,
  minKeep: number,
  ctx: SamplingContext,
): void {
  const n = c.size;
  const logits = c.logits;
  const need = Math.min(minKeep, n);
  if (c.sorted) {
    let kept = 0;
    while (kept < n && logits[kept]! >= threshold) kept++;
    truncateCandidates(c, Math.max(kept, need));
    return;
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (logits[i]! >= threshold) count++;
  if (count === n) return;
  if (count < need) {
    selectTopK(c, need, ctx);
    return;
  }
  const ids = c.ids;
  const probs = c.probs;
  const withProbs = c.probsValid;
  let j = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v >= threshold) {
      ids[j] = ids[i]!;
      logits[j] = v;
      if (withProbs) {
        const e = probs[i]!;
        probs[j] = e;
        sum += e;
      }
      j++;
    }
  }
  c.size = j;
  c.probsSum = sum;
  c.pristine = false;
  // the max is ≥ threshold (count ≥ 1), so it was kept and c.max stays valid
}
