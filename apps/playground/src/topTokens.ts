import { logSoftmax } from "@logitstream/core";

/** One bar: a token with its raw probability and log-probability. */
interface TokenBar {
  token: number;
  prob: number;
  logprob: number;
}

/** The distribution of a row as the bars show it. */
export interface RowView {
  /** The `n` most likely tokens, most likely first (ties → the lower id). */
  top: TokenBar[];
  /** Entropy of softmax(row), nats. */
  entropy: number;
  /** log-softmax of the row (float32, as core computes it). */
  logprobs: Float32Array;
}

/**
 * The `n` most likely tokens of a raw logit row, their probabilities and the row's entropy.
 *
 * @param logits - One row.
 * @param n - How many bars.
 * @returns The bars, the entropy and the row's log-probabilities.
 * @example
 * ```ts
 * rowView(new Float32Array([0, Math.log(3)]), 1).top; // [{ token: 1, prob: 0.75, logprob: -0.2877 }]
 * ```
 */
export function rowView(logits: Float32Array, n: number): RowView {
  const logprobs = logSoftmax(logits);
  const v = logprobs.length;
  const k = Math.min(n, v);
  // A sorted list of the k best so far (k is small: a few dozen bars).
  const ids: number[] = [];
  let entropy = 0;
  for (let i = 0; i < v; i++) {
    const lp = logprobs[i]!;
    if (lp > Number.NEGATIVE_INFINITY) entropy -= Math.exp(lp) * lp;
    if (ids.length === k && !(lp > logprobs[ids[k - 1]!]!)) continue;
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && lp > logprobs[ids[at - 1]!]!) at--;
    ids.splice(at, 0, i);
    if (ids.length > k) ids.pop();
  }
  return {
    top: ids.map((token) => ({ token, prob: Math.exp(logprobs[token]!), logprob: logprobs[token]! })),
    entropy,
    logprobs,
  };
}
