import { InvalidParamsError } from "./errors.js";

/**
 * Validates the shape of a row-major `rows × vocab` batch against its buffer.
 *
 * @param fn - Calling function, for the message.
 * @param length - `data.length` of the batch buffer.
 * @param rows - Number of rows, integer ≥ 0.
 * @param vocab - Row length V, integer ≥ 1.
 * @throws {InvalidParamsError} when `rows` or `vocab` is not a valid integer or the buffer holds fewer
 *   than `rows × vocab` values.
 *
 * @example
 * ```ts
 * checkBatchShape("scoreBatch", 12, 3, 4); // ok
 * checkBatchShape("scoreBatch", 11, 3, 4); // throws InvalidParamsError (param "data")
 * ```
 */
export function checkBatchShape(fn: string, length: number, rows: number, vocab: number): void {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new InvalidParamsError("rows", `${fn} needs an integer row count ≥ 0, got ${rows}`);
  }
  if (!Number.isInteger(vocab) || vocab < 1) {
    throw new InvalidParamsError("vocab", `${fn} needs an integer vocabulary size ≥ 1, got ${vocab}`);
  }
  if (length < rows * vocab) {
    throw new InvalidParamsError(
      "data",
      `${fn}: buffer holds ${length} values, fewer than rows × vocab = ${rows} × ${vocab} = ${rows * vocab}`,
    );
  }
}
