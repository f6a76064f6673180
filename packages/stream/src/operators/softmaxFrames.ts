import { InvalidParamsError, logSoftmaxStrided, softmaxStrided } from "@logitstream/core";
import { Observable, type OperatorFunction } from "rxjs";
import { toBatch } from "../internal/frames.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import type { LogitFrame } from "../types.js";

/** Options of {@link softmaxFrames}. */
export interface SoftmaxFramesOptions {
  /** Log-probabilities (`logSoftmax`) instead of probabilities. Default false. */
  log?: boolean;
  /** T ≥ 0, default 1; 0 = greedy (one-hot). */
  temperature?: number;
  /** Keep only the N most likely tokens per row, most likely first, ties to the lower id. Default 0 = all. */
  top?: number;
}

/** One row's distribution (the CLI's `softmax` record). Exactly one of `probs`, `logprobs`, `top` is set. */
export interface ProbsEvent {
  /** Global row index. */
  row: number;
  /** Without `log` and `top`: the whole distribution. */
  probs?: Float32Array;
  /** With `log` and without `top`. */
  logprobs?: Float32Array;
  /** With `top`: `{ token, prob }` (or `{ token, logprob }` with `log`) entries. */
  top?: { token: number; prob?: number; logprob?: number }[];
  id?: unknown;
}

/**
 * Logit frames → one {@link ProbsEvent} per row: the softmax (or log-softmax) of each row, with core's
 * exact kernels (max-subtracted, float64 sums). A row's result depends only on its values and the
 * options, never on how rows are grouped into frames. Each event owns its array.
 *
 * @example
 * of(new Float32Array([0, Math.log(3)])).pipe(softmaxFrames())
 * // → { row: 0, probs: Float32Array [0.25, 0.75] }
 */
export function softmaxFrames(options: SoftmaxFramesOptions = {}): OperatorFunction<LogitFrame, ProbsEvent> {
  const log = options.log === true;
  const temperature = options.temperature ?? 1;
  const top = options.top ?? 0;
  if (!Number.isInteger(top) || top < 0)
    throw new InvalidParamsError("top", `must be an integer ≥ 0, got ${top}`);
  return (source) =>
    new Observable<ProbsEvent>((subscriber) => {
      let nextRow = 0;
      let scratch = new Float32Array(0); // reused for `top`, where only N entries leave the operator
      subscribeLinked(source, subscriber, {
        next(frame) {
          const b = toBatch(frame, nextRow);
          nextRow = b.firstRow + b.rows;
          for (let r = 0; r < b.rows && !subscriber.closed; r++) {
            const row = b.firstRow + r;
            if (top > 0 && scratch.length !== b.vocab) scratch = new Float32Array(b.vocab);
            const out = top > 0 ? scratch : new Float32Array(b.vocab);
            const o = {
              data: b.data,
              offset: r * b.vocab,
              length: b.vocab,
              out,
              outOffset: 0,
              temperature,
              row,
            };
            if (log) logSoftmaxStrided(o);
            else softmaxStrided(o);
            const event: ProbsEvent = { row };
            if (top > 0) event.top = selectTop(out, top, log);
            else if (log) event.logprobs = out;
            else event.probs = out;
            if (b.ids !== undefined) event.id = b.ids[r];
            subscriber.next(event);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** The n largest values (ties → lower index), largest first, by insertion into a small sorted list. */
function selectTop(
  values: Float32Array,
  n: number,
  log: boolean,
): { token: number; prob?: number; logprob?: number }[] {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (ids.length === n && !(v > vals[n - 1]!)) continue;
    let k = ids.length < n ? ids.length : n - 1;
    // Shift smaller entries down; an equal value stays ahead (it has the lower index).
    while (k > 0 && vals[k - 1]! < v) {
      if (k < n) {
        ids[k] = ids[k - 1]!;
        vals[k] = vals[k - 1]!;
      }
      k--;
    }
    ids[k] = i;
    vals[k] = v;
  }
  return ids.map((token, k) => (log ? { token, logprob: vals[k]! } : { token, prob: vals[k]! }));
}
