import { allocOutput } from "./allocOutput.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { checkRow } from "./checkRow.js";
import { checkTarget } from "./checkTarget.js";
import { expSum } from "./expSum.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";

/**
 * Cross-entropy loss of one logit row against a target token, `−log softmax(u)_t = logSumExp(u) − u_t`
 * (float64), and optionally its gradient with respect to the logits, `softmax(u) − onehot(t)`, written
 * into `grad` without allocating.
 *
 * Works on raw logits (T = 1); for a tempered loss pass `u/T`, and divide the gradient by T for the
 * gradient with respect to `u`. A banned (-Infinity) target gives loss `+Infinity` (its gradient is
 * still `softmax − onehot`). Uses the fixed-order float64 sum of the softmax family, so
 * `loss = −logSoftmax(u)[t]` in float64.
 *
 * @param data - Logits: finite numbers or -Infinity.
 * @param offset - Index of the row's first element.
 * @param length - V ≥ 1.
 * @param target - Token id, integer in [0, V).
 * @param grad - Receives V gradient values from `gradOffset` (each in [-1, 1], summing to 0), or `null`.
 * @param gradOffset - Index in `grad` of the first value (default 0).
 * @param row - Global row index named in errors (default -1).
 * @returns The loss in nats, in [0, +Infinity].
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidTargetError} target outside [0, V).
 *
 * @example
 * ```ts
 * const g = new Float32Array(2);
 * crossEntropyStrided(new Float32Array([0, 0]), 0, 2, 1, g); // 0.6931471805599453 (ln 2); g = [0.5, -0.5]
 * ```
 */
export function crossEntropyStrided(
  data: Float32Array,
  offset: number,
  length: number,
  target: number,
  grad: Float32Array | null,
  gradOffset = 0,
  row = -1,
): number {
  const max = checkRow(data, offset, length, row);
  checkTarget(target, length, row);
  if (grad !== null) checkOutWindow(grad, gradOffset, length);
  const sum = expSum(data, offset, length, max, grad, gradOffset);
  if (grad !== null) {
    const scale = 1 / sum;
    const end = gradOffset + length;
    for (let i = gradOffset; i < end; i++) grad[i] = grad[i]! * scale;
    // Subtract the one-hot in float64 from the unrounded probability of the target.
    grad[gradOffset + target] = portableExp(data[offset + target]! - max) * scale - 1;
  }
  return portableLog(sum) - (data[offset + target]! - max);
}

/**
 * Cross-entropy of a logit row against a target — the friendly form of {@link crossEntropyStrided}.
 *
 * @param logits - Raw logits (T = 1), length V ≥ 1.
 * @param target - Token id, integer in [0, V).
 * @returns `loss` = −log p(target) in nats, and `gradient` = softmax(logits) − onehot(target).
 *
 * @example
 * ```ts
 * crossEntropy(new Float32Array([-1, 2, 0.5, -0.5]), 1);
 * // { loss: 0.303803… (= −ln 0.738006), gradient: ≈ [0.036743, -0.261994, 0.164671, 0.060579] }
 * ```
 */
export function crossEntropy(logits: Float32Array, target: number): { loss: number; gradient: Float32Array } {
  const gradient = allocOutput(logits.length);
  const loss = crossEntropyStrided(logits, 0, logits.length, target, gradient, 0);
  return { loss, gradient };
}
