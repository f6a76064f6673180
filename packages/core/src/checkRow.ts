import { InvalidLogitsError, InvalidParamsError } from "./errors.js";

/**
 * Validates one logit row and returns its maximum.
 *
 * Every kernel of the softmax family and every sampler calls this first, so a bad row is a typed
 * error that names the row — never a silent token 0 or a NaN probability.
 *
 * A valid row is non-empty, contains no `NaN` and no `+Infinity`, and has at least one finite value;
 * `-Infinity` entries are allowed (banned tokens).
 *
 * @param data - Buffer holding the row (a batch is `rows × V` row-major).
 * @param offset - Index of the row's first element in `data`; integer in [0, data.length].
 * @param length - Number of elements in the row (V); integer ≥ 0. `offset + length ≤ data.length`.
 * @param row - Global row index reported in the error (-1 when unknown).
 * @returns The largest logit of the row (finite).
 * @throws {InvalidLogitsError} `index` -1 for an empty or all `-Infinity` row; otherwise the index
 *   within the row of the first `NaN` or `+Infinity`.
 * @throws {InvalidParamsError} when `[offset, offset + length)` is not inside `data` (a caller bug, so
 *   an out-of-range read can never pass as a row).
 *
 * @example
 * ```ts
 * checkRow(new Float32Array([0, 3, -Infinity, 1]), 0, 4, 0); // 3
 * checkRow(new Float32Array([0, NaN]), 0, 2, 5);             // throws InvalidLogitsError: "row 5, index 1: NaN logit…"
 * ```
 */
export function checkRow(data: Float32Array, offset: number, length: number, row: number): number {
  if (!(offset >= 0 && offset + length <= data.length)) {
    throw new InvalidParamsError(
      "offset",
      `row window [${offset}, ${offset + length}) is outside the buffer of ${data.length} values`,
    );
  }
  if (length <= 0) {
    throw new InvalidLogitsError(row, -1, "empty row (vocabulary size 0)");
  }
  const end = offset + length;
  let max = Number.NEGATIVE_INFINITY;
  // One pass, one comparison per element: `!(v <= max)` is true only when the max rises or v is NaN
  // (NaN compares false with everything), so the checks run rarely and the first bad value in row
  // order is the one reported.
  for (let i = offset; i < end; i++) {
    const v = data[i]!;
    if (!(v <= max)) {
      if (Number.isNaN(v)) throw new InvalidLogitsError(row, i - offset, "NaN logit");
      if (v === Number.POSITIVE_INFINITY) throw new InvalidLogitsError(row, i - offset, "+Infinity logit");
      max = v;
    }
  }
  if (max === Number.NEGATIVE_INFINITY) {
    throw new InvalidLogitsError(row, -1, "every logit is -Infinity (all tokens banned)");
  }
  return max;
}
