import { allocOutput } from "./allocOutput.js";
import { InvalidParamsError } from "./errors.js";
import { checkStridedInput, checkStridedOut, restLength, windowFits } from "./stridedRow.js";

/**
 * Options of {@link softmaxBackwardStrided}: the forward probabilities, the upstream gradient and the
 * output, each a window of one length in its own buffer.
 */
export interface SoftmaxBackwardStridedOptions {
  /** Softmax probabilities of the forward pass (each in [0, 1], summing to 1). */
  y: Float32Array;
  /** Index of the first probability in `y`: an integer ≥ 0 (default 0). */
  yOffset?: number;
  /** Upstream gradient dL/dy (finite). */
  g: Float32Array;
  /** Index of its first value in `g`: an integer ≥ 0 (default 0). */
  gOffset?: number;
  /** V: an integer ≥ 0 (default `y.length − yOffset`; `g` and `out` must hold as many from their offsets). */
  length?: number;
  /** Receives dL/du, V values from `outOffset`; may be `g` at the same offset (in place). */
  out: Float32Array;
  /** Index in `out` of the first value written: an integer ≥ 0 (default 0). */
  outOffset?: number;
}

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
 * @param options - The three windows:
 *   - `y`, `yOffset` — softmax probabilities and the index of the first (default 0);
 *   - `g`, `gOffset` — upstream gradient dL/dy and the index of its first value (default 0);
 *   - `length` — V ≥ 0 (default `y.length − yOffset`, the rest of `y`; `g` and `out` must hold that many
 *     values from their offsets; 0 writes nothing);
 *   - `out`, `outOffset` — receives dL/du, V values from `outOffset` (default 0); may be `g` at the same
 *     offset.
 * @throws {InvalidParamsError} `y`, `g` or `out` not a Float32Array; `yOffset`, `gOffset`, `outOffset` or
 *   `length` not an integer ≥ 0; a window outside its buffer (naming the field).
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * softmaxBackwardStrided({ y: new Float32Array([0.25, 0.75]), g: new Float32Array([1, 0]), out });
 * // out = [0.1875, -0.1875]   (0.25·(1 − 0.25), 0.75·(0 − 0.25))
 * ```
 */
export function softmaxBackwardStrided(options: SoftmaxBackwardStridedOptions): void {
  const { y, g, out } = options;
  const yOffset = options.yOffset ?? 0;
  const gOffset = options.gOffset ?? 0;
  const length = options.length ?? restLength(y, yOffset);
  const outOffset = options.outOffset ?? 0;
  if (
    !(windowFits(y, yOffset, length) && windowFits(g, gOffset, length) && windowFits(out, outOffset, length))
  ) {
    checkStridedInput("y", "yOffset", y, yOffset, length, -1); // throws for a bad field or window
    checkStridedInput("g", "gOffset", g, gOffset, length, -1);
    checkStridedOut("out", out, Float32Array, outOffset, length, -1);
  }
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
  // Every field, in declaration order, as the library's other callers write it.
  softmaxBackwardStrided({ y, yOffset: 0, g, gOffset: 0, length: y.length, out, outOffset: 0 });
  return out;
}
