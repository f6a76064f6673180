import { checkRow } from "./checkRow.js";
import { expSumMoments } from "./expSumMoments.js";
import { portableLog } from "./portableLog.js";
import { checkStridedRow, rowFits, rowLength, type StridedRow } from "./stridedRow.js";

const moments = new Float64Array(2); // scratch reused across calls (no allocation per row)

/**
 * Shannon entropy, in nats, of the distribution `softmax(u)` defined by one row of raw logits:
 * `H = −Σ p_i log p_i`.
 *
 * Input is logits, not probabilities (use `softmax` first if you hold logits at a temperature:
 * pass `u/T`). Banned (-Infinity) tokens contribute 0. Result in [0, log V]: 0 for a one-hot, `log V`
 * for a uniform row; tiny negative rounding is clamped to 0.
 *
 * Method: with `x_i = u_i − max`, `e_i = exp(x_i)`, `S = Σ e_i`: `H = log S − (Σ e_i x_i) / S` — one exp
 * pass, no `log` per element, stable for any logit scale.
 *
 * @param options - The row ({@link StridedRow}):
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @returns H in nats (float64).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} `data` not a Float32Array; `offset` or `length` not an integer ≥ 0; a row
 *   window outside `data` (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * entropyStrided({ data: new Float32Array([5, 5, 5, 5]) }); // 1.3862943611198906 (= ln 4)
 * entropyStrided({ data: batch, offset: 2 * V, length: V, row: 2 }); // row 2 of a rows × V batch
 * ```
 */
export function entropyStrided(options: StridedRow): number {
  const data = options.data;
  const offset = options.offset ?? 0;
  const length = rowLength(options, offset);
  const row = options.row ?? -1;
  if (!rowFits(data, offset, length)) checkStridedRow(data, offset, length, row); // throws for a bad field, window or row
  const max = checkRow(data, offset, length, row);
  expSumMoments(data, offset, length, max, moments);
  const sum = moments[0]!;
  const h = portableLog(sum) - moments[1]! / sum;
  return Math.max(h, 0);
}

/**
 * Entropy in nats of `softmax(logits)` — the friendly form of {@link entropyStrided}.
 *
 * @param logits - Raw logits, length V ≥ 1.
 * @returns H in [0, log V].
 *
 * @example
 * ```ts
 * entropy(new Float32Array([0, -Infinity])); // 0
 * ```
 */
export function entropy(logits: Float32Array): number {
  // Every field, in declaration order, as the library's other callers write it (see StridedRow).
  return entropyStrided({ data: logits, offset: 0, length: logits.length, row: -1 });
}
