import { argmaxStrided } from "./argmaxStrided.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import { expSum } from "./expSum.js";

/** Options of the friendly softmax-family functions. */
export interface SoftmaxOptions {
  /** T ≥ 0, default 1. Logits are divided by T; 0 means greedy (see each function). */
  temperature?: number;
}

/**
 * Softmax of one logit row, written into `out` without allocating: `y_i = exp(u_i/T) / Σ_j exp(u_j/T)`.
 *
 * Use this form on batches (row *r* of a `rows × V` buffer is at `offset = r * V`) and in workers.
 *
 * Contract: max-subtracted, so adding a constant to every logit changes nothing; the sum is taken in
 * the fixed blocked order of {@link expSum} with a float64 reduction, so the result depends only on
 * the row's values and T — never on the batch size or the row's position — and, because the
 * exponential is `portableExp` (IEEE `+`/`×` only), it is bit-identical in every JavaScript
 * engine (Node, browsers). `-Infinity` (banned) logits get exactly 0. `T = 0` is greedy: a one-hot
 * 1 on the largest logit, ties going to the lower token id (a tiny T > 0 instead splits the mass
 * evenly over tied maxima). `out` may be `data` itself at the same offset (in place).
 *
 * Method: max (validated by `checkRow`) → `e_i = exp((u_i − max)/T)` stored in `out` while summing →
 * `out_i *= 1/Σ e` (three passes; one-pass online softmax costs a second exp per element in JS).
 * References: Milakov & Gimelshein, "Online normalizer calculation for softmax" (2018), for why the
 * max shift is needed and what the online variant trades.
 *
 * @param data - Logits: finite numbers or -Infinity.
 * @param offset - Index of the row's first element in `data`.
 * @param length - Row length V ≥ 1.
 * @param out - Receives V probabilities in [0, 1] starting at `outOffset`.
 * @param outOffset - Index in `out` of the first probability (default 0).
 * @param temperature - T ≥ 0 (default 1).
 * @param row - Global row index named in errors (default -1: unknown).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} temperature negative, NaN or infinite; a row or output window outside its buffer.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * softmaxStrided(new Float32Array([-1, 2, 0.5, -0.5]), 0, 4, out);
 * // out ≈ [0.036743, 0.738006, 0.164671, 0.060579]
 * ```
 */
export function softmaxStrided(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset = 0,
  temperature = 1,
  row = -1,
): void {
  checkTemperature(temperature, true, "softmax");
  const max = checkRow(data, offset, length, row);
  checkOutWindow(out, outOffset, length);
  const outEnd = outOffset + length;
  if (temperature === 0) {
    const winner = outOffset + argmaxStrided(data, offset, length, max);
    for (let i = outOffset; i < outEnd; i++) out[i] = 0;
    out[winner] = 1;
    return;
  }
  const sum = expSum(data, offset, length, max, temperature, out, outOffset);
  const scale = 1 / sum;
  for (let i = outOffset; i < outEnd; i++) out[i] = out[i]! * scale;
}

/**
 * Softmax of a logit row into a new `Float32Array` — the friendly form of {@link softmaxStrided}
 * (same contract: max-subtracted, fixed-order float64 sum, `-Infinity` → exactly 0, `T = 0` one-hot
 * on the first maximum).
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
  const out = new Float32Array(row.length);
  softmaxStrided(row, 0, row.length, out, 0, options?.temperature ?? 1);
  return out;
}
