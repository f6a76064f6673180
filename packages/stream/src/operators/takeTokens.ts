import { InvalidParamsError } from "@logitstream/core";
import { Observable, type OperatorFunction, of } from "rxjs";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import { isFinishEvent } from "../isFinishEvent.js";
import type { FinishEvent, StopInfo } from "../types.js";

/** Options of {@link takeTokens}. */
export interface TakeTokensOptions {
  /** End-of-sequence token id(s): the stream completes there; the EOS event itself is not emitted. */
  eos?: number | readonly number[] | undefined;
  /** Complete after this many tokens (the last one is emitted). Integer ≥ 0; default: no limit. */
  maxTokens?: number | undefined;
  /** Called once, before completion, with why the stream stopped (not called when the input simply ends). */
  onStop?: ((info: StopInfo) => void) | undefined;
}

/**
 * Passes token events on until an EOS token (not emitted) or until `maxTokens` were passed — RxJS's
 * `take` and `takeWhile` for token streams — then emits a `FinishEvent` (`"stop"` with `eosToken`, or
 * `"length"`) and completes, unsubscribing upstream (which aborts a `generate` loop's model call in
 * flight). A finish event from upstream passes through.
 *
 * @param options - EOS ids, the token limit and a stop callback.
 * @returns The operator.
 * @throws {InvalidParamsError} `maxTokens` not an integer ≥ 0.
 * @example
 * // tokens 5, 9, 2 with { eos: 2 } → 5, 9, then { finishReason: "stop", eosToken: 2, steps: 2 }
 */
export function takeTokens<T extends { token: number; step?: number }>(
  options: TakeTokensOptions,
): OperatorFunction<T | FinishEvent, T | FinishEvent> {
  const eos =
    options.eos === undefined ? [] : typeof options.eos === "number" ? [options.eos] : [...options.eos];
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  if (!(maxTokens >= 0) || (Number.isFinite(maxTokens) && !Number.isInteger(maxTokens))) {
    throw new InvalidParamsError("maxTokens", `expected an integer ≥ 0, got ${String(options.maxTokens)}`);
  }
  const onStop = options.onStop;
  return (source) => {
    if (maxTokens === 0) return of<FinishEvent>({ finishReason: "length", steps: 0 });
    return new Observable<T | FinishEvent>((subscriber) => {
      let count = 0;
      const finish = (info: StopInfo, eosToken?: number): void => {
        // Closed: a downstream operator (a stop sequence in the same token) ended the stream first.
        if (subscriber.closed) return;
        onStop?.(info);
        const event: FinishEvent = {
          finishReason: info.reason === "length" ? "length" : "stop",
          steps: count,
        };
        if (eosToken !== undefined) event.eosToken = eosToken;
        subscriber.next(event);
        subscriber.complete();
      };
      subscribeLinked(source, subscriber, {
        next(input) {
          if (isFinishEvent(input)) {
            subscriber.next(input);
            return;
          }
          const event = input as T;
          const step = event.step ?? count;
          if (eos.includes(event.token)) {
            finish({ reason: "eos", step }, event.token);
            return;
          }
          count++;
          subscriber.next(event);
          if (count >= maxTokens) finish({ reason: "length", step });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
  };
}
