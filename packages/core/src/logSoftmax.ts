import { logSoftmaxKernel } from "./kernels/dispatch.js";
import type { SoftmaxOptions, SoftmaxStridedOptions } from "./softmax.js";
import {
  type RowTransform,
  transformRow,
  transformRowStrided,
  transformTarget,
} from "./transformRowStrided.js";

/** logSoftmaxStrided's transform (softmaxBatch runs it too). */
export const LOG_SOFTMAX: RowTransform = {
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
 * @param options - The row and where to write ({@link SoftmaxStridedOptions}, as for softmaxStrided):
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `out` — receives V log-probabilities (≤ 0) starting at `outOffset` (default 0);
 *   - `temperature` — T ≥ 0 (default 1);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} temperature negative, NaN or infinite; `data` or `out` not a Float32Array;
 *   `offset`, `length` or `outOffset` not an integer ≥ 0; a row or output window outside its buffer
 *   (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * logSoftmaxStrided({ data: new Float32Array([0, 0]), out }); // out ≈ [-0.693147, -0.693147]
 * ```
 */
export function logSoftmaxStrided(options: SoftmaxStridedOptions): void {
  transformRowStrided(LOG_SOFTMAX, transformTarget(options));
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
  return transformRow(LOG_SOFTMAX, row, options);
}
