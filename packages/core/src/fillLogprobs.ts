/** Arguments of {@link fillLogprobs}: the raw row, its normalizer, and the top list to complete. */
interface FillLogprobsOptions {
  /** The raw row: `data[offset ..]`. */
  data: Float32Array;
  offset: number;
  /** Row maximum and log Σ exp(u_i − max). */
  max: number;
  logSum: number;
  /** The top list: `written` ids already at outIds[outOffset ..], `n` slots in all. */
  outIds: Int32Array;
  outLogprobs: Float64Array;
  outOffset: number;
  written: number;
  n: number;
}

/**
 * The logprobs of a top list: for the `written` ids at outIds[outOffset ..], u_id − max − logSum (the
 * raw row's log-softmax, in float64); the slots after them, up to `n`, get id −1 and logprob NaN.
 *
 * @param o - See {@link FillLogprobsOptions}.
 * @example
 * ```ts
 * fillLogprobs({ data, offset: 0, max, logSum, outIds, outLogprobs, outOffset: 0, written: 2, n: 2 });
 * ```
 */
export function fillLogprobs(o: FillLogprobsOptions): void {
  const { data, offset, max, logSum, outIds, outLogprobs, outOffset, written, n } = o;
  for (let k = 0; k < written; k++) {
    outLogprobs[outOffset + k] = data[offset + outIds[outOffset + k]!]! - max - logSum;
  }
  for (let k = written; k < n; k++) {
    outIds[outOffset + k] = -1;
    outLogprobs[outOffset + k] = Number.NaN;
  }
}
