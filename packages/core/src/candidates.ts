import { SUM_BLOCK } from "./expSum.js";
import { portableExp } from "./portableExp.js";
import { sortPairs } from "./sortPairs.js";

/**
 * The candidate set a sampler chain works on, struct-of-arrays (llama.cpp's `llama_token_data_array`).
 *
 * Invariants every stage keeps:
 * - entries `[0, size)` are live; `ids` are distinct token ids;
 * - `sorted` ⇒ ordered by logit descending, ties by lower id; `!sorted` ⇒ ordered by increasing id
 *   (so a stable compaction keeps the tie rule without looking at ids);
 * - `max` is the largest live logit, or NaN when unknown;
 * - `probsValid` ⇒ `probs[i] = exp(logits[i] − max)` (float64) for i < size and `probsSum` is their sum
 *   in index order — kept so the draw reuses the exponentials of the filter that computed them;
 * - `selected` is the index chosen by a terminal stage (−1 before);
 * - `pristine` ⇒ the live set is still exactly the loaded row (same values, order and size); a stage
 *   that changes any of them clears it. While pristine, {@link computeProbs} records its sum in
 *   `rawSum` — then Σ exp(u_i − max) of the untouched row, bit-identical to `expSum` — so the sampler
 *   can report the raw logprob without a second exp pass.
 *
 * Buffers are owned by a sampler and reused across rows; {@link createCandidates} grows them.
 */
export interface Candidates {
  ids: Int32Array;
  logits: Float32Array;
  probs: Float64Array;
  size: number;
  sorted: boolean;
  max: number;
  probsValid: boolean;
  probsSum: number;
  selected: number;
  pristine: boolean;
  /** Σ exp(u_i − max) of the loaded row when a stage computed it while pristine, else NaN. */
  rawSum: number;
}

/**
 * Allocates an empty candidate set with room for `capacity` tokens.
 *
 * @param capacity - Integer ≥ 0 (grown on demand by {@link loadCandidates}).
 * @returns An empty set.
 * @example
 * ```ts
 * createCandidates(8).size; // 0
 * ```
 */
export function createCandidates(capacity = 0): Candidates {
  return {
    ids: new Int32Array(capacity),
    logits: new Float32Array(capacity),
    probs: new Float64Array(capacity),
    size: 0,
    sorted: false,
    max: Number.NaN,
    probsValid: false,
    probsSum: 0,
    selected: -1,
    pristine: false,
    rawSum: Number.NaN,
  };
}

// Shared identity template 0, 1, 2, … (grown on demand) so loading ids is one memcpy.
let identity = new Int32Array(0);

/**
 * Loads one logit row into `c` (ids 0..length−1 in id order, unsorted), growing the buffers if needed.
 *
 * @param c - The set to overwrite.
 * @param data - Buffer holding the row.
 * @param offset - Row start in `data`.
 * @param length - Vocabulary size V ≥ 1.
 * @param max - The row's maximum (from `checkRow`), or NaN when unknown.
 * @example
 * ```ts
 * const c = createCandidates();
 * loadCandidates(c, new Float32Array([1, 3]), 0, 2, 3); // c.ids = [0, 1], c.size = 2
 * ```
 */
export function loadCandidates(
  c: Candidates,
  data: Float32Array,
  offset: number,
  length: number,
  max: number,
): void {
  if (c.ids.length < length) {
    c.ids = new Int32Array(length);
    c.logits = new Float32Array(length);
    c.probs = new Float64Array(length);
  }
  if (identity.length < length) {
    identity = new Int32Array(length);
    for (let i = 0; i < length; i++) identity[i] = i;
  }
  c.ids.set(identity.subarray(0, length));
  c.logits.set(data.subarray(offset, offset + length));
  c.size = length;
  c.sorted = false;
  c.max = max;
  c.probsValid = false;
  c.probsSum = 0;
  c.selected = -1;
  c.pristine = true;
  c.rawSum = Number.NaN;
}

/**
 * The largest live logit of `c` (cached in `c.max`).
 * @param c - A non-empty candidate set.
 * @returns The maximum logit.
 * @example
 * ```ts
 * candidateMax(c); // e.g. 3
 * ```
 */
export function candidateMax(c: Candidates): number {
  if (!Number.isNaN(c.max)) return c.max;
  const logits = c.logits;
  const n = c.size;
  let m = Number.NEGATIVE_INFINITY;
  if (c.sorted) {
    m = n > 0 ? logits[0]! : m;
  } else {
    for (let i = 0; i < n; i++) {
      const v = logits[i]!;
      if (v > m) m = v;
    }
  }
  c.max = m;
  return m;
}

/**
 * Fills `c.probs` with `exp(logit − max)` (float64, `portableExp`: the same bits in every engine) and `c.probsSum` with their sum in index order,
 * unless already valid. Masked (−Infinity) candidates get exactly 0.
 *
 * @param c - A non-empty candidate set.
 * @example
 * ```ts
 * computeProbs(c); // c.probs[i] / c.probsSum is the probability of candidate i
 * ```
 */
export function computeProbs(c: Candidates): void {
  if (c.probsValid) return;
  const m = candidateMax(c);
  const logits = c.logits;
  const probs = c.probs;
  const n = c.size;
  // Blocks of SUM_BLOCK terms, each summed in order, partials added in block order (float64): the
  // same order as the softmax family's expSum, so a pristine row gives the identical normalizer.
  let sum = 0;
  let start = 0;
  while (start < n) {
    const end = Math.min(start + SUM_BLOCK, n);
    let partial = 0;
    for (let i = start; i < end; i++) {
      const e = portableExp(logits[i]! - m);
      probs[i] = e;
      partial += e;
    }
    sum += partial;
    start = end;
  }
  c.probsSum = sum;
  c.probsValid = true;
  if (c.pristine) c.rawSum = sum;
}

/**
 * Keeps only the first `n` candidates (a prefix), updating `probsSum` when the probabilities are kept.
 *
 * @param c - The set.
 * @param n - New size, integer in [1, size].
 * @example
 * ```ts
 * truncateCandidates(c, 1); // c.size = 1
 * ```
 */
export function truncateCandidates(c: Candidates, n: number): void {
  if (n >= c.size) return;
  c.size = n;
  c.pristine = false;
  if (c.probsValid) {
    const probs = c.probs;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += probs[i]!;
    c.probsSum = sum;
  }
  if (!c.sorted) c.max = Number.NaN; // the max may have been dropped
}

/**
 * Marks the logits of `c` as changed by a non-monotonic edit (bias, penalties): drops the cached
 * max and probabilities and, when the set was sorted, restores increasing id order (the unsorted
 * invariant) by sorting its ids.
 *
 * @param c - The set.
 * @param keys - Scratch with room for `c.size` keys.
 * @param tie - Scratch with room for `c.size` ints.
 * @param pos - Scratch with room for `c.size` ints.
 * @param f32 - Scratch with room for `c.size` floats.
 * @example
 * ```ts
 * invalidateCandidates(c, k, t, p, f); // c.sorted === false, c.ids ascending
 * ```
 */
export function invalidateCandidates(
  c: Candidates,
  keys: Float64Array,
  tie: Int32Array,
  pos: Int32Array,
  f32: Float32Array,
): void {
  c.max = Number.NaN;
  c.probsValid = false;
  c.pristine = false;
  if (!c.sorted) return;
  const n = c.size;
  const ids = c.ids;
  const logits = c.logits;
  for (let i = 0; i < n; i++) {
    keys[i] = ids[i]!;
    tie[i] = ids[i]!;
    pos[i] = i;
    f32[i] = logits[i]!;
  }
  sortPairs(keys, tie, pos, n);
  for (let i = 0; i < n; i++) {
    ids[i] = tie[i]!;
    logits[i] = f32[pos[i]!]!;
  }
  c.sorted = false;
}
