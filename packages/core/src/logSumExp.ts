import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import { rowStatsKernel } from "./kernels/dispatch.js";
import type { SoftmaxOptions } from "./softmax.js";
import { checkStridedRow, rowFits, rowLength, type StridedRow } from "./stridedRow.js";

/**
 * Log-sum-exp of one row of tempered logits, `log Σ_i exp(u_i / T)`, as a float64.
 *
 * This is the log-normalizer of `softmax(u/T)`: `logSoftmax(u/T)_i = u_i/T − logSumExp`. Computed
 * stably as `max/T + log Σ exp((u_i − max)/T)`: the sum is softmax's float32 exp-and-sum kernel
 * (WebAssembly f32x4, polynomial exp < 1 ulp, float32 lanes within blocks of 128 terms, blocks added
 * in float64 in a fixed order; a bit-identical JavaScript twin where SIMD is missing), the log and
 * the final addition in float64. Error: |Δ| ≤ 2⁻²⁴·(11 + k·ln V), k = 1 at T = 1 and 3 otherwise
 * (≤ 6.6e-7 when the shifted logits are exact in float32; typically ~1e-7), below the precision of
 * the float32 logits themselves — PyTorch's float32 `logsumexp` is float32 throughout. So it
 * depends only on the row's values and T. `-Infinity` logits contribute 0. `T = 0` is rejected: the
 * value diverges as T → 0 (use `softmax`/`logSoftmax`, whose greedy limit is well defined).
 *
 * @param options - The row ({@link StridedRow}) and the temperature:
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `temperature` — T > 0 (default 1);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @returns A finite float64.
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} temperature ≤ 0, NaN or infinite; `data` not a Float32Array; `offset` or
 *   `length` not an integer ≥ 0; a row window outside `data` (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * logSumExpStrided({ data: new Float32Array([0, 0, 0, 0]) }); // 1.3862943611198906 (= ln 4)
 * logSumExpStrided({ data: batch, offset: 2 * V, length: V, row: 2 }); // row 2 of a rows × V batch
 * ```
 */
export function logSumExpStrided(options: StridedRow & SoftmaxOptions): number {
  const data = options.data;
  const offset = options.offset ?? 0;
  const length = rowLength(options, offset);
  const temperature = options.temperature ?? 1;
  const row = options.row ?? -1;
  checkTemperature(temperature, false, "logSumExp");
  if (!rowFits(data, offset, length)) checkStridedRow(data, offset, length, row); // throws for a bad field, window or row
  const st = rowStatsKernel(data, offset, length, temperature === 1 ? 1 : 1 / temperature, false);
  if (!Number.isFinite(st.max)) checkRow(data, offset, length, row); // throws the typed error
  return (temperature === 1 ? st.max : st.max / temperature) + st.logSum;
}

/**
 * Log-sum-exp of a logit row — the friendly form of {@link logSumExpStrided}.
 *
 * @param row - Logits: finite numbers or -Infinity, length V ≥ 1.
 * @param options - `temperature` T > 0 (default 1).
 * @returns `log Σ exp(u_i / T)` as a float64.
 *
 * @example
 * ```ts
 * logSumExp(new Float32Array([1000, 1000])); // 1000.6931471805599 (no overflow)
 * ```
 */
export function logSumExp(row: Float32Array, options?: SoftmaxOptions): number {
  // Every field, in declaration order, as the library's other callers write it (see StridedRow).
  return logSumExpStrided({
    data: row,
    offset: 0,
    length: row.length,
    temperature: options?.temperature ?? 1,
    row: -1,
  });
}
