import { portableExp } from "./portableExp.js";
/**
 * Number of elements summed into one partial sum before the partials are reduced. Blocks start at
 * the row's first element, so the summation order depends only on the row length — never on where
 * the row sits in a batch.
 */
export const SUM_BLOCK = 1024;

/**
 * `Σ exp(u_i − max)` over one row, in the fixed order of the numeric contract; optionally stores each
 * term into `out`.
 *
 * The float64 inner kernel of crossEntropy and klDivergence (at temperature 1). Callers have already
 * validated the row (`checkRow`).
 *
 * Method: the row is cut into blocks of {@link SUM_BLOCK} elements counted from the row start; each
 * block is accumulated in order into its own partial sum, and the partials are added in block order
 * in float64. In this JavaScript kernel both levels are float64 (JS numbers); a SIMD kernel may use
 * float32 lanes inside a block but must keep the float64 reduction across blocks (float32 lanes alone
 * lose 1e-5 relative at V = 128k; see docs/PERFORMANCE.md). The exponential is {@link portableExp}
 * (bit-identical in every JavaScript engine, ~2× faster than `Math.exp` in V8); `-Infinity` logits
 * give exactly 0.
 *
 * @param data - Logits.
 * @param offset - First element of the row in `data`.
 * @param length - Row length V ≥ 1.
 * @param max - The row maximum (finite), from `checkRow`.
 * @param out - Where to store each term `exp(u_i − max)` (rounded to float32), or `null` to only sum.
 * @param outOffset - Index in `out` of the row's first term.
 * @returns The float64 sum (≥ 1, since the max contributes exp(0) = 1).
 *
 * @example
 * ```ts
 * expSum(new Float32Array([0, Math.log(3)]), 0, 2, Math.fround(Math.log(3)), null, 0); // ≈ 1.3333333
 * ```
 */
export function expSum(
  data: Float32Array,
  offset: number,
  length: number,
  max: number,
  out: Float32Array | null,
  outOffset: number,
): number {
  const end = offset + length;
  const shift = outOffset - offset;
  let total = 0; // float64 reduction of the block partials
  let blockStart = offset;
  while (blockStart < end) {
    const blockEnd = Math.min(blockStart + SUM_BLOCK, end);
    let partial = 0;
    if (out === null) {
      for (let i = blockStart; i < blockEnd; i++) partial += portableExp(data[i]! - max);
    } else {
      for (let i = blockStart; i < blockEnd; i++) {
        const e = portableExp(data[i]! - max);
        out[i + shift] = e;
        partial += e;
      }
    }
    total += partial;
    blockStart = blockEnd;
  }
  return total;
}
