import type { Candidates } from "../candidates.js";
import { candidateMax } from "../candidates.js";
import { EmptyCandidatesError } from "../errors.js";
import type { SamplingContext } from "../samplerStage.js";
import { findCandidate } from "./findCandidate.js";

/**
 * Bans the tokens `ids[0, count)` (probability exactly 0 from here on): the kernel behind the
 * n-gram, banned-sequence and min-tokens stages.
 *
 * An unsorted set (id order) gets `−Infinity` at each banned position — O(count · log size), no pass
 * over the row unless the max itself was banned. A sorted set has the banned entries removed (one compaction), so it stays sorted.
 * Ids not among the candidates are ignored.
 *
 * @param c - Candidate set.
 * @param ids - Token ids to ban (duplicates allowed).
 * @param count - How many entries of `ids` to use.
 * @param stage - Stage name for the error.
 * @param ctx - Row index for the error.
 * @throws {EmptyCandidatesError} when no token with a finite logit is left.
 * @example
 * ```ts
 * maskTokens(c, Int32Array.of(2), 1, "min_tokens", ctx); // token 2 can no longer be drawn
 * ```
 */
export function maskTokens(
  c: Candidates,
  ids: ArrayLike<number>,
  count: number,
  stage: string,
  ctx: SamplingContext,
): void {
  if (count === 0) return;
  const logits = c.logits;
  if (c.sorted) {
    const cids = c.ids;
    let removed = false;
    for (let k = 0; k < count; k++) {
      const i = findCandidate(c, ids[k]!);
      if (i >= 0) {
        cids[i] = -1;
        removed = true;
      }
    }
    if (!removed) return;
    const probs = c.probs;
    const withProbs = c.probsValid;
    const n = c.size;
    let j = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const id = cids[i]!;
      if (id < 0) continue;
      cids[j] = id;
      logits[j] = logits[i]!;
      if (withProbs) {
        probs[j] = probs[i]!;
        sum += probs[j]!;
      }
      j++;
    }
    if (j === 0 || logits[0] === Number.NEGATIVE_INFINITY) {
      c.size = j;
      throw new EmptyCandidatesError(ctx.row, stage);
    }
    c.size = j;
    c.pristine = false;
    if (c.max !== logits[0]) {
      c.max = logits[0]!;
      c.probsValid = false;
    } else {
      c.probsSum = sum;
    }
    return;
  }
  const max = candidateMax(c);
  let maxHit = false;
  let changed = false;
  for (let k = 0; k < count; k++) {
    const i = findCandidate(c, ids[k]!);
    if (i < 0 || logits[i] === Number.NEGATIVE_INFINITY) continue;
    if (logits[i] === max) maxHit = true;
    logits[i] = Number.NEGATIVE_INFINITY;
    changed = true;
  }
  if (!changed) return;
  c.pristine = false;
  // The cached sum is an in-order sum: recomputing it keeps that invariant exact (a subtraction would not).
  c.probsValid = false;
  if (maxHit) {
    c.max = Number.NaN; // the max may have gone: find it again
    if (candidateMax(c) === Number.NEGATIVE_INFINITY) throw new EmptyCandidatesError(ctx.row, stage);
  }
}
