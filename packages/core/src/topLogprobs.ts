import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { checkRow } from "./checkRow.js";
import { loadRow } from "./kernels/dispatch.js";

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
 * @param data - Logits: finite numbers or -Infinity.
 * @param offset - Index of the row's first element.
 * @param length - V ≥ 1.
 * @param n - Entries wanted, integer in [0, MAX_TOP_N = 4096] (0 writes nothing).
 * @param outIds - Receives n token ids from `outOffset`.
 * @param outLogprobs - Receives n log-probabilities from `outOffset`.
 * @param outOffset - Index of the first slot in both outputs (default 0).
 * @param row - Global row index named in errors (default -1).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @returns The number of entries written, `min(n, length)`.
 * @throws {InvalidParamsError} `n` not an integer in [0, MAX_TOP_N].
 *
 * @example
 * ```ts
 * const ids = new Int32Array(2), lps = new Float64Array(2);
 * topLogprobs(new Float32Array([0, Math.log(3), -Infinity, 0]), 0, 4, 2, ids, lps);
 * // ids = [1, 0]; lps ≈ [-0.510826, -1.609438]   (log 3/5, log 1/5)
 * ```
 */
export function topLogprobs(
  data: Float32Array,
  offset: number,
  length: number,
  n: number,
  outIds: Int32Array,
  outLogprobs: Float64Array,
  outOffset = 0,
  row = -1,
): number {
  checkCount("n", n, MAX_TOP_N);
  if (!(offset >= 0 && length > 0 && offset + length <= data.length)) checkRow(data, offset, length, row); // throws
  // One load into the kernel memory: max (with validation) and the normalizer.
  const st = loadRow(data, offset, length);
  if (!Number.isFinite(st.max)) checkRow(data, offset, length, row); // throws the typed error
  st.normalize(1, false);
  const written = Math.min(n, length);
  checkOutWindow(outIds, outOffset, written);
  checkOutWindow(outLogprobs, outOffset, written);
  if (written === 0) return 0;
  st.topLogprobs({ data, offset, n: written, logSum: st.logSum, outIds, outLogprobs, outOffset });
  return written;
}
