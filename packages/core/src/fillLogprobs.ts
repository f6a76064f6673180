/**
 * The logprobs of a top list: for the `written` ids at outIds[outOffset ..], u_id − max − logSum (the
 * raw row's log-softmax, in float64); the slots after them, up to `n`, get id −1 and logprob NaN.
 */
export function fillLogprobs(
  data: Float32Array,
  offset: number,
  written: number,
  n: number,
  max: number,
  logSum: number,
  outIds: Int32Array,
  outLogprobs: Float64Array,
  outOffset: number,
): void {
  for (let k = 0; k < written; k++) {
    outLogprobs[outOffset + k] = data[offset + outIds[outOffset + k]!]! - max - logSum;
  }
  for (let k = written; k < n; k++) {
    outIds[outOffset + k] = -1;
    outLogprobs[outOffset + k] = Number.NaN;
  }
}
