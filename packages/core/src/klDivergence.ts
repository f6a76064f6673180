import { checkRow } from "./checkRow.js";
import { InvalidParamsError } from "./errors.js";
import { expSum } from "./expSum.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";

/**
 * Kullback–Leibler divergence `KL(P ‖ Q) = Σ p_i (log p_i − log q_i)`, in nats, between the
 * distributions `P = softmax(a)` and `Q = softmax(b)` defined by two rows of raw logits.
 *
 * Inputs are logits (e.g. a teacher row `a` and a student row `b` for distillation), not probabilities.
 * A token banned in P (`a_i = -Infinity`) contributes 0; a token allowed in P but banned in Q gives
 * `+Infinity`. Result ≥ 0 (tiny negative rounding is clamped to 0); 0 when `a − b` is constant.
 *
 * Method: with `x_i = a_i − max a`, `y_i = b_i − max b`, `S_a = Σ exp(x_i)`, `S_b = Σ exp(y_i)`:
 * `KL = (Σ exp(x_i)(x_i − y_i)) / S_a − log S_a + log S_b`, all in float64, max-subtracted.
 *
 * @param p - Logits of P.
 * @param pOffset - Index of P's first logit.
 * @param q - Logits of Q.
 * @param qOffset - Index of Q's first logit.
 * @param length - V ≥ 1 (both rows).
 * @param row - Global row index named in errors (default -1).
 * @returns KL in nats, in [0, +Infinity].
 * @throws {InvalidLogitsError} either row empty, NaN, +Infinity, or all -Infinity.
 *
 * @example
 * ```ts
 * klDivergenceStrided(new Float32Array([0, 0]), 0, new Float32Array([Math.log(3), 0]), 0, 2);
 * // ≈ 0.143841 (= ½ ln(½ / ¾) + ½ ln(½ / ¼), up to the float32 rounding of ln 3)
 * ```
 */
export function klDivergenceStrided(
  p: Float32Array,
  pOffset: number,
  q: Float32Array,
  qOffset: number,
  length: number,
  row = -1,
): number {
  const maxP = checkRow(p, pOffset, length, row);
  const maxQ = checkRow(q, qOffset, length, row);
  const sumP = expSum(p, pOffset, length, maxP, null, 0);
  const sumQ = expSum(q, qOffset, length, maxQ, null, 0);
  let acc = 0; // float64, index order
  for (let i = 0; i < length; i++) {
    const a = p[pOffset + i]!;
    if (a === Number.NEGATIVE_INFINITY) continue;
    const b = q[qOffset + i]!;
    if (b === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const x = a - maxP;
    const e = portableExp(x);
    if (e > 0) acc += e * (x - (b - maxQ));
  }
  const kl = acc / sumP - portableLog(sumP) + portableLog(sumQ);
  return Math.max(kl, 0);
}

/**
 * KL divergence `KL(softmax(p) ‖ softmax(q))` in nats — the friendly form of {@link klDivergenceStrided}.
 *
 * @param p - Logits of P (e.g. the teacher), length V ≥ 1.
 * @param q - Logits of Q (e.g. the student), length V.
 * @returns KL in [0, +Infinity].
 * @throws {InvalidParamsError} when the lengths differ.
 *
 * @example
 * ```ts
 * klDivergence(new Float32Array([1, 2]), new Float32Array([11, 12])); // 0 (shift-invariant)
 * ```
 */
export function klDivergence(p: Float32Array, q: Float32Array): number {
  if (p.length !== q.length) {
    throw new InvalidParamsError(
      "q",
      `klDivergence needs rows of equal length, got ${p.length} and ${q.length}`,
    );
  }
  return klDivergenceStrided(p, 0, q, 0, p.length, -1);
}
