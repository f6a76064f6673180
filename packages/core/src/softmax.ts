import { softmaxKernel } from "./kernels/dispatch.js";
import type { StridedRow } from "./stridedRow.js";
import {
  type RowTransform,
  transformRow,
  transformRowStrided,
  transformTarget,
} from "./transformRowStrided.js";

/** softmaxStrided's transform (softmaxBatch runs it too). */
export const SOFTMAX: RowTransform = { fn: "softmax", kernel: softmaxKernel, hot: 1, cold: 0 };

/** Options of the friendly softmax-family functions. */
export interface SoftmaxOptions {
  /** T ≥ 0, default 1. Logits are divided by T; 0 means greedy (see each function). */
  temperature?: number;
}

/**
 * Options of {@link softmaxStrided} and `logSoftmaxStrided`: the row (`data`, `offset`, `length`,
 * `row`, see {@link StridedRow}), the temperature, and the output window `out[outOffset ..]`.
 */
export interface SoftmaxStridedOptions extends StridedRow, SoftmaxOptions {
  /** Receives V values starting at `outOffset`; may be `data` itself at the same offset (in place). */
  out: Float32Array;
  /** Index in `out` of the first value written: an integer ≥ 0 (default 0). */
  outOffset?: number;
}

/**
 * Softmax of one logit row, written into `out` without allocating: `y_i = exp(u_i/T) / Σ_j exp(u_j/T)`.
 *
 * Use this form on batches (row *r* of a `rows × V` buffer is at `offset = r * V`) and in workers.
 *
 * Contract: max-subtracted, so adding a constant to every logit changes nothing; the sum is taken in
 * the fixed order of the kernels (float32 lanes within blocks of 128 terms, blocks reduced in
 * float64 — see `src/kernels/`), so the result depends only on the row's values and T — never on the
 * batch size, the row's position, or whether the WebAssembly SIMD kernel or its bit-identical
 * JavaScript twin ran. `-Infinity` (banned) logits get exactly 0 and change no other output (the
 * sums run over the unmasked values). `T = 0` is greedy: a one-hot 1 on the largest logit, ties
 * going to the lower token id (a tiny T > 0 instead splits the mass evenly over tied maxima). `out`
 * may be `data` itself at the same offset (in place).
 *
 * Accuracy (float32): each probability y_i ≥ 2⁻¹²⁶ is within 3 ulp + c · |u_i − max|/T · 2⁻²⁴ · y_i of
 * the exact value for the same float32 logits, with c = 1 when 1/T is a float32 (T = 1, 0.5, 2, …) and
 * c = 2 otherwise: the exponent `(u_i − max)·fround(1/T)` carries the rounding of the product and, when
 * 1/T is not representable, that of fround(1/T) too. Measured worst case on N(0, 9) rows of V = 1k–128k
 * (4 rows each): 0.88 (T = 1), 1.79 (T = 0.7), 1.63 (T = 1.3), 0.96 (T = 0.5) in units of the
 * c = 1 term beyond 3 ulp — so T = 0.7 needs c = 2. Underflow: a shifted logit (u_i − max)/T below
 * −126.5 · ln 2 ≈ −87.683 gives exactly 0 (the float32 exp flushes results below ≈ 8.3e-39, inside
 * float32's subnormal range); above it, down to −87.34, the result is subnormal with an absolute error
 * below one subnormal ulp (2⁻¹⁴⁹). Example: `softmax([0, −88])[1]` is 0, the exact value 6.05e-39.
 *
 * Method: one WebAssembly f32x4 pass for the max (and the NaN / +Infinity / all-masked check), one
 * exp-and-sum pass storing `e_i = exp((u_i − max)·fround(1/T))` (polynomial exp, < 1 ulp), one
 * scaling pass `p_i = e_i · fround(1/Σ e)`; the row is copied into the kernel's memory and back
 * (memcpy speed). References: Milakov & Gimelshein, "Online normalizer calculation for softmax"
 * (2018), for why the max shift is needed and what the online variant trades.
 *
 * @param options - The row and where to write:
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `out` — receives V probabilities in [0, 1] starting at `outOffset` (default 0);
 *   - `temperature` — T ≥ 0 (default 1);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} temperature negative, NaN or infinite; `data` or `out` not a Float32Array;
 *   `offset`, `length` or `outOffset` not an integer ≥ 0; a row or output window outside its buffer
 *   (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * softmaxStrided({ data: new Float32Array([-1, 2, 0.5, -0.5]), out });
 * // out ≈ [0.036743, 0.738006, 0.164671, 0.060579]
 * // Row 3 of a rows × V batch, into the same place of a second batch:
 * softmaxStrided({ data: batch, offset: 3 * V, length: V, out: probs, outOffset: 3 * V, row: 3 });
 * ```
 */
export function softmaxStrided(options: SoftmaxStridedOptions): void {
  transformRowStrided(SOFTMAX, transformTarget(options));
}

/**
 * Softmax of a logit row into a new `Float32Array` — the friendly form of {@link softmaxStrided}
 * (same contract: max-subtracted, fixed-order float64 sum, `-Infinity` → exactly 0, `T = 0` one-hot
 * on the first maximum).
 *
 * The result is the caller's: a `Float32Array` over its own `ArrayBuffer` of exactly 4·V bytes (on Node
 * taken uninitialized and then written in full, see `allocOutput`), never shared with another result, so
 * keeping it retains nothing else. In a loop over many rows, {@link softmaxStrided} into one reused buffer
 * is still faster: each new 512 KB output (V = 128k) is memory the allocator may have to fault in afresh
 * (packages/core/BENCHMARKS.md, issue 20).
 *
 * @param row - Logits: finite numbers or -Infinity, length V ≥ 1.
 * @param options - `temperature` T ≥ 0 (default 1).
 * @returns Probabilities, length V, summing to 1 within float32 rounding.
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity (row -1).
 * @throws {InvalidParamsError} bad temperature.
 *
 * @example
 * ```ts
 * softmax(new Float32Array([-2, -1, 0, 1, 1.5]));
 * // ≈ [0.015550, 0.042270, 0.114900, 0.312332, 0.514948]
 * softmax(new Float32Array([1, 3, 3]), { temperature: 0 }); // [0, 1, 0]
 * ```
 */
export function softmax(row: Float32Array, options?: SoftmaxOptions): Float32Array {
  return transformRow(SOFTMAX, row, options);
}
