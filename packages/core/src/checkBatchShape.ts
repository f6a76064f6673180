import { checkCount, MAX_VOCAB } from "./checkCount.js";
import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";

/**
 * Validates the shape of a row-major `rows × vocab` batch against its buffer.
 *
 * @param fn - Calling function, for the message.
 * @param length - `data.length` of the batch buffer.
 * @param rows - Number of rows, integer ≥ 0 (bounded by what the buffer holds).
 * @param vocab - Row length V, integer in [1, MAX_VOCAB = 2^24].
 * @throws {InvalidParamsError} when `rows` or `vocab` is not an integer in range (the message shows the
 *   value as given) or the buffer holds fewer than `rows × vocab` values.
 *
 * @example
 * ```ts
 * checkBatchShape("scoreBatch", 12, 3, 4); // ok
 * checkBatchShape("scoreBatch", 11, 3, 4); // throws InvalidParamsError (param "data")
 * ```
 */
export function checkBatchShape(fn: string, length: number, rows: number, vocab: number): void {
  if (typeof rows !== "number" || !Number.isSafeInteger(rows) || rows < 0) {
    throw new InvalidParamsError("rows", `${fn} needs an integer row count ≥ 0, got ${describeValue(rows)}`);
  }
  checkCount("vocab", vocab, MAX_VOCAB, 1);
  if (length < rows * vocab) {
    throw new InvalidParamsError(
      "data",
      `${fn}: buffer holds ${length} values, fewer than rows × vocab = ${rows} × ${vocab} = ${rows * vocab}`,
    );
  }
}
