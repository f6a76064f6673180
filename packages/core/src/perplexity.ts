import { InvalidParamsError } from "./errors.js";

/**
 * Perplexity of a sequence of scored tokens: `exp(−mean log p)`, from the target log-probabilities
 * (natural log) that `scoreBatch` or `crossEntropy` (as `−loss`) produce.
 *
 * Input is log-probabilities, one per scored token; `NaN` entries (rows without a target, as
 * `scoreBatch` reports them) are skipped. A `-Infinity` entry (a banned target) makes the perplexity
 * `+Infinity`. The sum is float64 in index order. To combine several batches, concatenate their
 * log-probabilities, or keep a running sum and count and take `exp(−sum / count)`.
 *
 * @param logprobs - Log-probabilities ≤ 0 (NaN = skip).
 * @returns Perplexity in [1, +Infinity].
 * @throws {InvalidParamsError} when no entry is scored (empty or all NaN), or an entry is > 0 or +Infinity.
 *
 * @example
 * ```ts
 * perplexity([Math.log(0.5), Math.log(0.125), Number.NaN]); // 4 (= exp((ln 2 + ln 8) / 2))
 * ```
 */
export function perplexity(logprobs: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  const n = logprobs.length;
  for (let i = 0; i < n; i++) {
    const lp = logprobs[i]!;
    if (Number.isNaN(lp)) continue;
    if (lp > 0) {
      throw new InvalidParamsError("logprobs", `entry ${i} is ${lp}; a log-probability must be ≤ 0`);
    }
    sum += lp;
    count++;
  }
  if (count === 0) {
    throw new InvalidParamsError(
      "logprobs",
      "perplexity needs at least one scored token (all entries empty or NaN)",
    );
  }
  return Math.exp(-sum / count);
}
