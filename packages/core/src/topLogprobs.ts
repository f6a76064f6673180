import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkRow } from "./checkRow.js";
import { loadRow } from "./kernels/dispatch.js";
import { checkStridedOut, checkStridedRow, rowFits, rowLength, type StridedRow } from "./stridedRow.js";

/** Options of {@link topLogprobs}: the row ({@link StridedRow}), how many entries, and where they go. */
export interface TopLogprobsOptions extends StridedRow {
  /** Entries wanted: an integer in [0, MAX_TOP_N = 4096] (0 writes nothing). */
  n: number;
  /** Receives the token ids from `outOffset`. */
  outIds: Int32Array;
  /** Receives their log-probabilities from `outOffset`. */
  outLogprobs: Float64Array;
  /** Index of the first slot written in both outputs: an integer ≥ 0 (default 0). */
  outOffset?: number;
}

/**
 * The `n` most likely tokens of one logit row and their log-probabilities under `log_softmax` of the
 * raw row (OpenAI's `top_logprobs`), most likely first, ties to the lower token id; written into
 * `outIds[outOffset ..]` and `outLogprobs[outOffset ..]` without allocating. When `n > length` the whole
 * row is written (`length` entries; the slots after them are left as they were).
 *
 * Log-probabilities are float64 `(u_i − max) − log S` with the normalizer `S` of the softmax family
 * (same blocked sum); `logSoftmax(row)[id]` is within 2 float32 ulp of them (its T = 1 write pass is
 * float32). Banned
 * (-Infinity) tokens can appear only after every allowed token, with logprob `-Infinity`.
 *
 * Method (WebAssembly SIMD kernels): one copy into kernel memory, an f32x4 max pass with validation,
 * the f32x4 normalizer pass (logSoftmax's; blocks and log in float64), then a bounded min-heap fed
 * only by the 8-element groups that beat its root (one f32x4 compare per group), O(V + k log n) — no
 * full sort.
 *
 * @param options - The row and where to write:
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `n` — entries wanted, an integer in [0, MAX_TOP_N = 4096] (0 writes nothing);
 *   - `outIds`, `outLogprobs` — receive `min(n, V)` ids and log-probabilities from `outOffset` (default 0);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @returns The number of entries written, `min(n, length)`.
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} `n` not an integer in [0, MAX_TOP_N]; `data`, `outIds` or `outLogprobs`
 *   not a Float32Array, Int32Array, Float64Array; `offset`, `length` or `outOffset` not an integer ≥ 0;
 *   a row or output window outside its buffer (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * const ids = new Int32Array(2), lps = new Float64Array(2);
 * topLogprobs({ data: new Float32Array([0, Math.log(3), -Infinity, 0]), n: 2, outIds: ids, outLogprobs: lps });
 * // ids = [1, 0]; lps ≈ [-0.510826, -1.609438]   (log 3/5, log 1/5)
 * ```
 */
export function topLogprobs(options: TopLogprobsOptions): number {
  const { data, n, outIds, outLogprobs } = options;
  const offset = options.offset ?? 0;
  const length = rowLength(options, offset);
  const outOffset = options.outOffset ?? 0;
  const row = options.row ?? -1;
  checkCount("n", n, MAX_TOP_N);
  if (!rowFits(data, offset, length)) checkStridedRow(data, offset, length, row); // throws for a bad field, window or row
  const written = Math.min(n, length);
  if (
    !(
      outIds instanceof Int32Array &&
      outLogprobs instanceof Float64Array &&
      Number.isInteger(outOffset) &&
      outOffset >= 0 &&
      outOffset + written <= outIds.length &&
      outOffset + written <= outLogprobs.length
    )
  ) {
    checkStridedOut("outIds", outIds, Int32Array, outOffset, written, row); // throws for a bad field or window
    checkStridedOut("outLogprobs", outLogprobs, Float64Array, outOffset, written, row);
  }
  // One load into the kernel memory: max (with validation) and the normalizer.
  const st = loadRow(data, offset, length);
  if (!Number.isFinite(st.max)) checkRow(data, offset, length, row); // throws the typed error
  st.normalize(1, false);
  if (written === 0) return 0;
  st.topLogprobs({ data, offset, n: written, logSum: st.logSum, outIds, outLogprobs, outOffset });
  return written;
}
