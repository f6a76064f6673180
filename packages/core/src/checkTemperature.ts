import { InvalidParamsError } from "./errors.js";

/**
 * Validates a softmax temperature and returns it.
 *
 * @param temperature - Finite number ≥ 0 (0 = greedy where the function allows it).
 * @param allowZero - Whether T = 0 (greedy) is meaningful for the caller.
 * @param fn - Name of the calling function, used in the error message.
 * @returns `temperature`, unchanged.
 * @throws {InvalidParamsError} `param` "temperature" for NaN, ±Infinity, a negative value, or 0 when
 *   `allowZero` is false.
 *
 * @example
 * ```ts
 * checkTemperature(0.7, true, "softmax"); // 0.7
 * checkTemperature(0, false, "logSumExp"); // throws InvalidParamsError: invalid parameter "temperature": …
 * ```
 */
export function checkTemperature(temperature: number, allowZero: boolean, fn: string): number {
  if (!(temperature >= 0) || temperature === Number.POSITIVE_INFINITY) {
    throw new InvalidParamsError(
      "temperature",
      `${fn} needs a finite temperature ≥ 0 (0 = greedy), got ${String(temperature)}`,
    );
  }
  if (temperature === 0 && !allowZero) {
    throw new InvalidParamsError(
      "temperature",
      `${fn} is undefined at temperature 0 (it diverges as T → 0); use T > 0, or softmax/logSoftmax for greedy`,
    );
  }
  return temperature;
}
