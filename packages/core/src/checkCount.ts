import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";

/**
 * The most top-N entries a caller may ask for per row (`logprobs` of sampling, `top` of scoring and
 * softmax). A request above it is refused before anything is allocated; a request above the row's
 * vocabulary V (but within this bound) returns V entries.
 */
export const MAX_TOP_N = 4096;

/**
 * The largest vocabulary (row length) the batch functions accept: 2^24 = 16,777,216, the wire
 * readers' default `maxVocab`. Real vocabularies are ~32k–262k.
 */
export const MAX_VOCAB = 16_777_216;

/**
 * Checks a count a caller passed (a top-N, a row count, a row index) and returns it: an integer in
 * [min, max], else an {@link InvalidParamsError} that shows the value as given (`"5" (a string)`).
 * Called before anything is allocated from the count.
 *
 * @param param - The parameter's name, for the message.
 * @param value - What the caller passed.
 * @param max - The inclusive upper bound.
 * @param min - The inclusive lower bound (default 0).
 * @returns `value`, typed as a number.
 * @throws {InvalidParamsError} naming `param`, its range and the value.
 *
 * @example
 * ```ts
 * checkCount("logprobs", 5, MAX_TOP_N);   // 5
 * checkCount("logprobs", "5", MAX_TOP_N); // throws: invalid parameter "logprobs": must be an integer in [0, 4096], got "5" (a string)
 * ```
 */
export function checkCount(param: string, value: unknown, max: number, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidParamsError(
      param,
      `must be an integer in [${min}, ${max}], got ${describeValue(value)}`,
    );
  }
  return value;
}
