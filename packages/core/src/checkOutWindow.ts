import { InvalidParamsError } from "./errors.js";

/**
 * Checks that `[outOffset, outOffset + length)` lies inside an output buffer, so a kernel never writes
 * past its end (typed arrays drop such writes silently).
 *
 * @param out - Output buffer.
 * @param outOffset - First index written; integer ≥ 0.
 * @param length - Number of values written.
 * @throws {InvalidParamsError} `param` "outOffset" when the window does not fit.
 *
 * @example
 * ```ts
 * checkOutWindow(new Float32Array(4), 1, 3); // ok
 * checkOutWindow(new Float32Array(4), 2, 3); // throws InvalidParamsError
 * ```
 */
export function checkOutWindow(out: ArrayLike<number>, outOffset: number, length: number): void {
  if (!(outOffset >= 0 && outOffset + length <= out.length)) {
    throw new InvalidParamsError(
      "outOffset",
      `output window [${outOffset}, ${outOffset + length}) is outside the buffer of ${out.length} values`,
    );
  }
}
