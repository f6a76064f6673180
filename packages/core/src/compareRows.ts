import { InvalidParamsError, InvalidTargetError } from "./errors.js";
import { compareRowsBackend, type RowPairSums } from "./kernels/compareRowsBackend.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";

/** One row of a batch: `data[offset, offset + length)`. */
export interface LogitRowView {
  data: Float32Array;
  offset: number;
  length: number;
}

/** How two models' distributions over the same position differ (see {@link compareRowsStrided}). */
export interface RowComparison {
  /** KL(base ‖ new) in nats, in [0, +Infinity]. */
  kl: number;
  /** The most likely token under each model (ties → the lower id). */
  top1Base: number;
  top1New: number;
  /** With a target: its probability under each model and `dp = pNew − pBase` (else NaN). */
  pBase: number;
  pNew: number;
  dp: number;
}

/** Options of {@link compareRowsStrided}. */
export interface CompareRowsOptions {
  /** The actual next token, in [0, V); −1 or absent: none (pBase, pNew, dp are NaN). */
  target?: number;
  /** Global row index named in errors (default −1). */
  row?: number;
}

/** The pass's results for the row pair being compared (reused: one comparison at a time per realm). */
const scratch: RowPairSums = {
  maxBase: 0,
  maxNew: 0,
  sumBase: 0,
  sumNew: 0,
  cross: 0,
  top1Base: 0,
  top1New: 0,
};

/**
 * Compares two models' logits for the same position: KL(base ‖ new), both top-1 tokens and, with a
 * target, the target's probability under each and their difference Δp — the per-position figures of
 * llama.cpp's KL-divergence mode of its perplexity tool, which decides whether a quantized or distilled
 * model is close enough to its original.
 *
 * Contract: both rows are validated like every row (typed error naming `row`); they must have the same
 * length. A token banned in base (−Infinity) contributes nothing to KL; a token allowed in base but
 * banned in new makes KL = +Infinity. KL is shift-invariant in each row and 0 for rows that differ by a
 * constant. Exponentials are `portableExp` and every sum is float64 in a fixed order — four strands,
 * strand j adding the elements i ≡ j (mod 4) in increasing i, the sum (s0 + s1) + (s2 + s3) — in the
 * WebAssembly SIMD pass (f64x2 lanes) and in its JavaScript twin alike, so the result is the same bits
 * in every engine, with or without SIMD, for any batch split.
 *
 * Method: both maxima and top-1 tokens come from f32x4 passes (comparisons: exact); with
 * `x = base − max(base)`, `y = new − max(new)`, one fused float64 pass (two f64x2 lanes at a time)
 * accumulates `S_b = Σ exp(x_i)`, `S_n = Σ exp(y_i)` and `C = Σ exp(x_i)(x_i − y_i)` (over
 * exp(x_i) > 0); then `KL = C / S_b − ln S_b + ln S_n`. Subtracting each row's maximum first keeps the terms of C small
 * when the models agree, so the small KL of a good quantization is not the difference of two large
 * numbers.
 *
 * @param base - The reference model's row.
 * @param next - The compared model's row (same length).
 * @param opts - `target` and `row`.
 * @returns The comparison.
 * @throws {InvalidLogitsError} a row that is empty, has NaN or +Infinity, or is all −Infinity.
 * @throws {InvalidParamsError} rows of different lengths.
 * @throws {InvalidTargetError} a target outside [0, V).
 *
 * @example
 * ```ts
 * const b = new Float32Array([0, 0]);                 // P = [½, ½]
 * const n = new Float32Array([Math.log(3), 0]);       // Q ≈ [¾, ¼]
 * compareRowsStrided({ data: b, offset: 0, length: 2 }, { data: n, offset: 0, length: 2 }, { target: 1 });
 * // { kl: ≈ 0.143841, top1Base: 0, top1New: 0, pBase: 0.5, pNew: ≈ 0.25, dp: ≈ −0.25 }
 * ```
 */
export function compareRowsStrided(
  base: LogitRowView,
  next: LogitRowView,
  opts: CompareRowsOptions = {},
): RowComparison {
  const row = opts.row ?? -1;
  const length = base.length;
  if (next.length !== length) {
    throw new InvalidParamsError(
      "next",
      `${row >= 0 ? `row ${row}: ` : ""}the two rows must have the same length, got ${length} and ${next.length}`,
    );
  }
  const target = opts.target ?? -1;
  if (target !== -1 && !(Number.isInteger(target) && target >= 0 && target < length)) {
    throw new InvalidTargetError(row, target, length);
  }
  const b = base.data;
  const n = next.data;
  const bo = base.offset;
  const no = next.offset;
  compareRowsBackend().pass(b, bo, n, no, length, row, scratch);
  const sumB = scratch.sumBase;
  const sumN = scratch.sumNew;
  const cross = scratch.cross;
  const logSumB = portableLog(sumB);
  const logSumN = portableLog(sumN);
  // C is +Infinity exactly when a token allowed in base is banned in new (every other term is finite).
  const kl =
    cross === Number.POSITIVE_INFINITY
      ? Number.POSITIVE_INFINITY
      : Math.max(cross / sumB - logSumB + logSumN, 0);
  let pBase = Number.NaN;
  let pNew = Number.NaN;
  if (target >= 0) {
    pBase = portableExp(b[bo + target]! - scratch.maxBase - logSumB);
    pNew = portableExp(n[no + target]! - scratch.maxNew - logSumN);
  }
  return {
    kl,
    top1Base: scratch.top1Base,
    top1New: scratch.top1New,
    pBase,
    pNew,
    dp: pNew - pBase,
  };
}

/**
 * {@link compareRowsStrided} on two whole rows.
 *
 * @param base - The reference model's logits.
 * @param next - The compared model's logits (same length).
 * @param opts - `target` and `row`.
 * @returns The comparison.
 * @example
 * ```ts
 * compareRows(new Float32Array([1, 2]), new Float32Array([11, 12])).kl; // 0
 * ```
 */
export function compareRows(
  base: Float32Array,
  next: Float32Array,
  opts?: CompareRowsOptions,
): RowComparison {
  return compareRowsStrided(
    { data: base, offset: 0, length: base.length },
    { data: next, offset: 0, length: next.length },
    opts,
  );
}
