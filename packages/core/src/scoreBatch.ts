import { checkBatchShape } from "./checkBatchShape.js";
import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkRow } from "./checkRow.js";
import { InvalidParamsError, InvalidTargetError, type LogitstreamError } from "./errors.js";
import { type LoadedRow, loadRow } from "./kernels/dispatch.js";

/** Options of {@link scoreBatch}. */
export interface ScoreBatchOptions {
  /** Global index of row 0, named in errors. Default 0. */
  firstRow?: number;
  /**
   * Also report the N most likely tokens per row (`topTokens`/`topLogprobs`, rows × min(N, vocab)):
   * an integer in [0, MAX_TOP_N = 4096]. Default 0.
   */
  top?: number;
  /** "throw" (default): the first bad row throws. "skip": bad rows get NaN/0/-1 and their error lands in `errors`. */
  onError?: "throw" | "skip";
}

/** Result of {@link scoreBatch}: one entry per row (`rows × min(top, vocab)` for the top arrays). */
export interface ScoreBatchResult {
  /** `log_softmax(row)[target]` in nats; NaN for a row without target (-1) or a skipped bad row. */
  logprobs: Float64Array;
  /** 1 + the number of tokens with a strictly higher logit than the target; 0 without target or for a bad row. */
  ranks: Int32Array;
  /** Entropy of `softmax(row)` in nats; NaN for a skipped bad row. */
  entropies: Float64Array;
  /** Present when `top > 0`: token ids, most likely first, ties to the lower id; -1 for a skipped row. */
  topTokens?: Int32Array;
  /** Present when `top > 0`: their log-probabilities; NaN for a skipped row. */
  topLogprobs?: Float64Array;
  /** Errors of skipped rows, in row order, each naming the global row (empty with `onError: "throw"`). */
  errors: LogitstreamError[];
}

/**
 * Scores every row of a row-major `rows × vocab` batch of raw logits: the target's log-probability under
 * `log_softmax` of the untouched row, its rank, the row's entropy, and optionally the top-N tokens.
 *
 * Each row's results depend only on that row (fixed-order normalizer shared with the softmax
 * family: `logprobs[r]` equals `logSoftmax(row)[target]` before float32 rounding), so splitting a job
 * across batches or workers changes nothing. Rank = 1 + the count of strictly higher logits (the most
 * likely token has rank 1; tied tokens share a rank). A banned (-Infinity) target has logprob -Infinity.
 *
 * Method (WebAssembly SIMD kernels, bit-identical JavaScript twin where SIMD is missing): per row, one
 * copy into the kernel memory; an f32x4 max pass (with the NaN / +Infinity / all-masked check); one
 * f32x4 pass for `S = Σ exp(u_i − max)` (bit-identical to logSoftmax's S) and
 * `M = Σ exp(u_i − max)(u_i − max)` (float32 lanes within blocks of 128, blocks added in float64;
 * `log S` within ~1e-6, see {@link logSumExpStrided}); an f32x4
 * count of strictly higher logits for the rank; a SIMD-filtered bounded heap for the top-N;
 * `logprob = (u_t − max) − log S`, `entropy = log S − M/S`.
 *
 * @param data - `rows × vocab` logits (finite or -Infinity).
 * @param rows - Row count, integer ≥ 0.
 * @param vocab - Row length V, integer ≥ 1.
 * @param targets - Per-row target ids in [0, V), or -1 for "no target"; `null` for none at all.
 * @param options - `firstRow`, `top`, `onError`.
 * @returns Typed arrays with one entry per row (see {@link ScoreBatchResult}).
 * @throws {InvalidLogitsError} a bad row (empty, NaN, +Infinity, all -Infinity), naming row `firstRow + r`.
 * @throws {InvalidTargetError} a target outside [0, V) other than -1, naming the row and target.
 * @throws {InvalidParamsError} bad shape, `targets` shorter than `rows`, `top` not an integer ≥ 0.
 *
 * @example
 * ```ts
 * const r = scoreBatch(new Float32Array([0, Math.log(3), 1, 1]), 2, 2, Int32Array.of(0, -1));
 * // r.logprobs ≈ [-1.386294, NaN]  (log ¼), r.ranks = [2, 0], r.entropies ≈ [0.562335, 0.693147]
 * ```
 */
export function scoreBatch(
  data: Float32Array,
  rows: number,
  vocab: number,
  targets: Int32Array | null,
  options?: ScoreBatchOptions,
): ScoreBatchResult {
  checkBatchShape("scoreBatch", data.length, rows, vocab);
  if (targets !== null && targets.length < rows) {
    throw new InvalidParamsError("targets", `scoreBatch: ${targets.length} targets for ${rows} rows`);
  }
  // Checked before anything is allocated; more entries than the row has gives the whole row.
  const top = Math.min(checkCount("top", options?.top ?? 0, MAX_TOP_N), vocab);
  const firstRow = checkCount("firstRow", options?.firstRow ?? 0, Number.MAX_SAFE_INTEGER);
  const skip = options?.onError === "skip";
  const logprobs = new Float64Array(rows);
  const ranks = new Int32Array(rows);
  const entropies = new Float64Array(rows);
  const topTokens = top > 0 ? new Int32Array(rows * top) : null;
  const topLps = top > 0 ? new Float64Array(rows * top) : null;
  const errors: LogitstreamError[] = [];

  for (let r = 0; r < rows; r++) {
    const offset = r * vocab;
    const globalRow = firstRow + r;
    const target = targets === null ? -1 : targets[r]!;
    let max: number;
    let st: LoadedRow;
    try {
      if (target < -1 || target >= vocab) throw new InvalidTargetError(globalRow, target, vocab);
      // One load into the kernel memory: max with validation, the normalizer and the entropy moment.
      st = loadRow(data, offset, vocab);
      max = st.max;
      if (!Number.isFinite(max)) checkRow(data, offset, vocab, globalRow); // throws the typed error
      st.normalize(1, true);
    } catch (error) {
      if (!skip) throw error;
      errors.push(error as LogitstreamError);
      logprobs[r] = Number.NaN;
      ranks[r] = 0;
      entropies[r] = Number.NaN;
      if (topTokens !== null && topLps !== null) {
        for (let k = r * top; k < (r + 1) * top; k++) {
          topTokens[k] = -1;
          topLps[k] = Number.NaN;
        }
      }
      continue;
    }
    const sum = st.sum;
    const logSum = st.logSum;
    const h = logSum - st.entropyTerm / sum;
    entropies[r] = Math.max(h, 0);
    if (target >= 0) {
      const ut = data[offset + target]!;
      logprobs[r] = ut - max - logSum;
      ranks[r] = 1 + st.countGt(ut);
    } else {
      logprobs[r] = Number.NaN;
      ranks[r] = 0;
    }
    if (topTokens !== null && topLps !== null) {
      st.topLogprobs({
        data,
        offset,
        n: top,
        logSum,
        outIds: topTokens,
        outLogprobs: topLps,
        outOffset: r * top,
      });
    }
  }

  const result: ScoreBatchResult = { logprobs, ranks, entropies, errors };
  if (topTokens !== null && topLps !== null) {
    result.topTokens = topTokens;
    result.topLogprobs = topLps;
  }
  return result;
}
