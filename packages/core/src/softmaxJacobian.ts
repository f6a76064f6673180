import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import { InvalidParamsError } from "./errors.js";
import { portableExp } from "./portableExp.js";
import type { SoftmaxOptions } from "./softmax.js";

/** Largest V accepted by {@link softmaxJacobian}: the dense V × V result is 8·V² bytes (128 MiB at 4096). */
export const MAX_JACOBIAN_VOCAB = 4096;

/**
 * Dense Jacobian of softmax at the logits `u`, for small V: `J[i·V + j] = ∂y_i/∂u_j = y_i (δ_ij − y_j) / T`
 * with `y = softmax(u/T)`.
 *
 * For gradients use {@link softmaxBackward} (O(V)); this O(V²) matrix is for inspection, tests and tiny
 * vocabularies. `y` is computed here in float64 (max-subtracted, summed in index order), so entries are
 * float64-accurate; rows and columns of banned (-Infinity) tokens are exactly 0. The matrix is symmetric
 * and each row sums to 0.
 *
 * @param logits - Finite numbers or -Infinity, length V in [1, {@link MAX_JACOBIAN_VOCAB}].
 * @param options - `temperature` T > 0 (default 1).
 * @returns A row-major V × V `Float64Array`.
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} T ≤ 0, or V > {@link MAX_JACOBIAN_VOCAB}.
 *
 * @example
 * ```ts
 * const J = softmaxJacobian(new Float32Array([-1, 2, 0.5, -0.5]));
 * J[1 * 4 + 1]; // ≈ 0.193353  (∂y₂/∂u₂, 1-based)
 * J[0 * 4 + 1]; // ≈ -0.027117 (∂y₁/∂u₂)
 * ```
 */
export function softmaxJacobian(logits: Float32Array, options?: SoftmaxOptions): Float64Array {
  const temperature = checkTemperature(options?.temperature ?? 1, false, "softmaxJacobian");
  const v = logits.length;
  if (v > MAX_JACOBIAN_VOCAB) {
    throw new InvalidParamsError(
      "logits",
      `softmaxJacobian is dense (V × V); V = ${v} exceeds ${MAX_JACOBIAN_VOCAB}. Use softmaxBackward for gradients.`,
    );
  }
  const max = checkRow(logits, 0, v, -1);
  const y = new Float64Array(v);
  let sum = 0;
  for (let i = 0; i < v; i++) {
    const e = portableExp((logits[i]! - max) / temperature);
    y[i] = e;
    sum += e;
  }
  for (let i = 0; i < v; i++) y[i] = y[i]! / sum;
  const jac = new Float64Array(v * v);
  for (let i = 0; i < v; i++) {
    const yi = y[i]!;
    const base = i * v;
    for (let j = 0; j < v; j++) jac[base + j] = (0 - yi * y[j]!) / temperature; // 0 − x, not −x: banned tokens get +0, not −0
    jac[base + i] = (yi * (1 - yi)) / temperature;
  }
  return jac;
}
