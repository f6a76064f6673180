import { allocOutput } from "./allocOutput.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { InvalidParamsError } from "./errors.js";

/**
 * Backward pass of softmax (vector-Jacobian product), written into `out` without allocating:
 * `dL/du_i = y_i · (g_i − ⟨g, y⟩)` where `y = softmax(u)` and `g = dL/dy`.
 *
 * Takes the probabilities the forward pass produced (not the logits) — what a training loop keeps.
 * For a forward pass at temperature T, divide the result by T (it is the gradient with respect to
 * `u/T`). The dot product is accumulated in float64 in index order. Entries with `y_i = 0` (banned
 * tokens) get exactly 0 when `g_i` is finite.
 *
 * Method: `J = diag(y) − y yᵀ`, and `Jᵀ g = y ⊙ (g − (yᵀ g)·1)` — O(V) instead of the O(V²) dense Jacobian.
 *
 * @param y - Softmax probabilities (each in [0, 1], summing to 1).
 * @param yOffset - Index of the first probability in `y`.
 * @param g - Upstream gradient dL/dy (finite).
 * @param gOffset - Index of its first element in `g`.
 * @param length - V ≥ 0.
 * @param out - Receives dL/du, V values from `outOffset`; may alias `g` at the same offset.
 * @param outOffset - Index in `out` of the first value (default 0).
 * @throws {InvalidParamsError} when a window does not fit its buffer.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * softmaxBackwardStrided(new Float32Array([0.25, 0.75]), 0, new Float32Array([1, 0]), 0, 2, out);
 * // out = [0.1875, -0.1875]   (0.25·(1 − 0.25), 0.75·(0 − 0.25))
 * ```
 */
export function softmaxBackwardStrided(
  y: Float32Array,
  yOffset: number,
  g: Float32Array,
  gOffset: number,
  length: number,
  out: Float32Array,
  outOffset = 0,
): void {
  checkOutWindow(y, yOffset, length);
  checkOutWindow(g, gOffset, length);
  checkOutWindow(out, outOffset, length);
  let dot = 0; // float64
  for (let i = 0; i < length; i++) dot += y[yOffset + i]! * g[gOffset + i]!;
  for (let i = 0; i < length; i++) {
    const yi = y[yOffset + i]!;
    out[outOffset + i] = yi * (g[gOffset + i]! - dot);
  }
}

/**
 * Backward pass of softmax into a new array — the friendly form of {@link softmaxBackwardStrided}:
 * `y ⊙ (g − ⟨g, y⟩)`.
 *
 * @param y - Softmax probabilities, length V.
 * @param g - Upstream gradient dL/dy, length V.
 * @returns dL/du (gradient with respect to the logits of a T = 1 softmax), length V.
 * @throws {InvalidParamsError} when `y` and `g` differ in length.
 *
 * @example
 * ```ts
 * softmaxBackward(new Float32Array([0.5, 0.5]), new Float32Array([1, 1])); // [0, 0] (a constant g has no effect)
 * ```
 */
export function softmaxBackward(y: Float32Array, g: Float32Array): Float32Array {
  if (y.length !== g.length) {
    throw new InvalidParamsError(
      "g",
      `softmaxBackward needs y and g of equal length, got ${y.length} and ${g.length}`,
    );
  }
  const out = allocOutput(y.length);
  softmaxBackwardStrided(y, 0, g, 0, y.length, out, 0);
  return out;
}
