import { checkRow } from "./checkRow.js";
import { expSumMoments } from "./expSumMoments.js";
import { portableLog } from "./portableLog.js";

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
 * @param data - Logits: finite numbers or -Infinity.
 * @param offset - Index of the row's first element.
 * @param length - V ≥ 1.
 * @param row - Global row index named in errors (default -1).
 * @returns H in nats (float64).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 *
 * @example
 * ```ts
 * entropyStrided(new Float32Array([5, 5, 5, 5]), 0, 4); // 1.3862943611198906 (= ln 4)
 * ```
 */
export function entropyStrided(data: Float32Array, offset: number, length: number, row = -1): number {
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
  return entropyStrided(logits, 0, logits.length, -1);
}
