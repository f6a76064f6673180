import type { Candidates } from "./candidates.js";
import { invalidateCandidates } from "./candidates.js";
import type { SamplingContext } from "./samplerStage.js";
import { ensureScratch } from "./samplerStage.js";

/**
 * The candidate set as a stage written outside core sees it in `apply`: the live entries are
 * `[0, size)` — token `ids[i]` with logit `logits[i]` — ordered by logit descending (ties by lower
 * id) when `sorted`, else by increasing id. Read them freely; change them only through
 * {@link filterCandidates} and {@link updateLogits}, which keep the set's invariants (its order and
 * the cached maximum and exponentials the stages after it reuse).
 */
export interface CandidateSet {
  readonly ids: Int32Array;
  readonly logits: Float32Array;
  readonly size: number;
  readonly sorted: boolean;
}

/**
 * Keeps the candidates for which `keep(id, logit)` is true, in their order (a ban list, an allow
 * list, a grammar mask). Keeping none is allowed here; the sampler then throws
 * `EmptyCandidatesError` naming the stage.
 *
 * @param c - The candidates passed to `apply`.
 * @param keep - Called once per live candidate, in order.
 * @returns How many were kept.
 * @example
 * ```ts
 * const banned = new Set([13, 198]);
 * const ban: SamplerStage = {
 *   name: "ban",
 *   apply: (c) => void filterCandidates(c, (id) => !banned.has(id)),
 *   clone: () => ban,
 * };
 * ```
 */
export function filterCandidates(c: CandidateSet, keep: (id: number, logit: number) => boolean): number {
  const set = c as Candidates;
  const ids = set.ids;
  const logits = set.logits;
  const probs = set.probs;
  const withProbs = set.probsValid;
  const n = set.size;
  let j = 0;
  let sum = 0;
  let maxKept = false;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    const v = logits[i]!;
    if (!keep(id, v)) continue;
    if (v === set.max) maxKept = true;
    ids[j] = id;
    logits[j] = v;
    if (withProbs) {
      const e = probs[i]!;
      probs[j] = e;
      sum += e;
    }
    j++;
  }
  if (j === n) return n;
  set.size = j;
  set.pristine = false;
  set.selected = -1;
  // The exponentials stay exp(logit − max) only while the max is kept.
  if (withProbs && maxKept) set.probsSum = sum;
  else {
    set.probsValid = false;
    if (!maxKept) set.max = Number.NaN;
  }
  return j;
}

/**
 * Replaces every candidate's logit by `f(id, logit)` (a bias, a penalty, −Infinity to mask a token
 * while keeping it a candidate), then restores the set's invariants: the cached maximum and
 * exponentials are dropped and a sorted set goes back to id order.
 *
 * @param c - The candidates passed to `apply`.
 * @param ctx - The context passed to `apply` (its scratch memory is used).
 * @param f - New logit for a candidate; must not be NaN or +Infinity.
 * @example
 * ```ts
 * // Halve the logit of every token seen in the last 8 steps.
 * apply(c, ctx) {
 *   const recent = new Set(ctx.history.subarray(-8));
 *   updateLogits(c, ctx, (id, v) => (recent.has(id) ? v / 2 : v));
 * }
 * ```
 */
export function updateLogits(
  c: CandidateSet,
  ctx: SamplingContext,
  f: (id: number, logit: number) => number,
): void {
  const set = c as Candidates;
  const ids = set.ids;
  const logits = set.logits;
  const n = set.size;
  for (let i = 0; i < n; i++) logits[i] = f(ids[i]!, logits[i]!);
  set.selected = -1;
  const s = ensureScratch(ctx.scratch, n);
  invalidateCandidates(set, s.f64a, s.i32a, s.i32b, s.f32a);
}
