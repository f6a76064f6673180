import { SUM_BLOCK } from "./expSum.js";
import { portableExp } from "./portableExp.js";

/**
 * One exp pass giving both `S = Σ e_i` and `M = Σ e_i · x_i`, where `x_i = u_i − max` and
 * `e_i = exp(x_i)`: everything entropy and scoring need (`log p_i = x_i − log S`,
 * `H = log S − M / S`).
 *
 * `S` is summed exactly as {@link expSum} at T = 1 (same blocks, same order, same float64
 * operations), so it is bit-identical to the normalizer softmax and logSoftmax use. Terms with
 * `e_i = 0` (banned or underflowed tokens) are left out of `M`, which avoids `0 · -Infinity = NaN`.
 *
 * @param data - Logits, already validated by `checkRow`.
 * @param offset - First element of the row.
 * @param length - V ≥ 1.
 * @param max - The row maximum.
 * @param moments - Receives `[S, M]` at indices 0 and 1.
 *
 * @example
 * ```ts
 * const m = new Float64Array(2);
 * expSumMoments(new Float32Array([0, 0]), 0, 2, 0, m); // m = [2, 0]
 * ```
 */
export function expSumMoments(
  data: Float32Array,
  offset: number,
  length: number,
  max: number,
  moments: Float64Array,
): void {
  const end = offset + length;
  let total = 0;
  let weighted = 0;
  let blockStart = offset;
  while (blockStart < end) {
    const blockEnd = Math.min(blockStart + SUM_BLOCK, end);
    let partial = 0;
    let partialWeighted = 0;
    for (let i = blockStart; i < blockEnd; i++) {
      const x = data[i]! - max;
      const e = portableExp(x);
      partial += e;
      if (e > 0) partialWeighted += e * x;
    }
    total += partial;
    weighted += partialWeighted;
    blockStart = blockEnd;
  }
  moments[0] = total;
  moments[1] = weighted;
}
