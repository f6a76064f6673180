import { allocOutput } from "./allocOutput.js";
import { logSoftmaxKernel } from "./kernels/dispatch.js";
import type { SoftmaxOptions } from "./softmax.js";
import { type RowTransform, transformRowStrided } from "./transformRowStrided.js";

const LOG_SOFTMAX: RowTransform = {
  fn: "logSoftmax",
  kernel: logSoftmaxKernel,
  hot: 0,
  cold: Number.NEGATIVE_INFINITY,
};

/**
 * Log-softmax of one logit row, written into `out` without allocating:
 * `out_i = (u_i − max)/T − log Σ_j exp((u_j − max)/T)` = `log softmax(u/T)_i`.
 *
 * Contract: as {@link softmaxStrided} — shift-invariant, the same kernel sum (so `exp(out_i)` matches
 * softmax), depends only on the row's values and T, identical on the SIMD and JavaScript kernels.
 * `-Infinity` logits give `-Infinity`. `T = 0` is greedy: 0 on the first maximum (ties to the lower
 * id), `-Infinity` elsewhere — the log of softmax's one-hot. `out` may be `data` itself at the same offset.
 *
 * Method (WebAssembly SIMD kernels): f32x4 max pass (with validation) → softmax's f32x4 exp-and-sum
 * pass without stores (float32 lanes within blocks of 128, blocks added in float64) → one write pass.
 * At T = 1 the write pass is float32 (f32x4): `fround(fround(u_i − max) − fround(log Σ))`, within
 * **2 float32 ulp** of `(u_i − max) − log Σ` (both subtractions act on u_i − max ≤ 0 and log Σ ≥ 0,
 * so nothing cancels and each of the three roundings is at most half an ulp of the result's binade or
 * the one below); at other T it is float64 (f64x2), `fround((u_i − max)·(1/T) − log Σ)`, rounded once
 * (0.5 ulp). `log Σ` is within ~1e-6 of the float64 definition (see {@link logSumExpStrided});
 * `scoreBatch`, `topLogprobs` and the samplers' raw logprobs use the same Σ in float64, so these
 * values are within 2 ulp of theirs at T = 1 (equal to them rounded to float32 at other T).
 *
 * @param data - Logits: finite numbers or -Infinity.
 * @param offset - Index of the row's first element in `data`.
 * @param length - Row length V ≥ 1.
 * @param out - Receives V log-probabilities (≤ 0) starting at `outOffset`.
 * @param outOffset - Index in `out` of the first value (default 0).
 * @param temperature - T ≥ 0 (default 1).
 * @param row - Global row index named in errors (default -1).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} temperature negative, NaN or infinite; a row or output window outside its buffer.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * logSoftmaxStrided(new Float32Array([0, 0]), 0, 2, out); // out ≈ [-0.693147, -0.693147]
 * ```
 */
export function logSoftmaxStrided(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset = 0,
  temperature = 1,
  row = -1,
): void {
  transformRowStrided(LOG_SOFTMAX, { data, offset, length, out, outOffset, temperature, row });
}

/**
 * Log-softmax of a logit row into a new `Float32Array` — the friendly form of {@link logSoftmaxStrided}.
 *
 * The result is the caller's: a `Float32Array` over its own `ArrayBuffer` of exactly 4·V bytes (on Node
 * taken uninitialized and then written in full, see `allocOutput`), never shared with another result, so
 * keeping it retains nothing else. In a loop over many rows, {@link logSoftmaxStrided} into one reused buffer
 * is still faster: each new 512 KB output (V = 128k) is memory the allocator may have to fault in afresh
 * (packages/core/BENCHMARKS.md, issue 20).
 *
 * @param row - Logits: finite numbers or -Infinity, length V ≥ 1.
 * @param options - `temperature` T ≥ 0 (default 1; 0 = greedy: 0 on the first maximum, -Infinity elsewhere).
 * @returns Log-probabilities, length V.
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity (row -1).
 * @throws {InvalidParamsError} bad temperature.
 *
 * @example
 * ```ts
 * logSoftmax(new Float32Array([1, 1, -Infinity])); // ≈ [-0.693147, -0.693147, -Infinity]
 * ```
 */
export function logSoftmax(row: Float32Array, options?: SoftmaxOptions): Float32Array {
  const out = allocOutput(row.length);
  logSoftmaxStrided(row, 0, row.length, out, 0, options?.temperature ?? 1);
  return out;
}
