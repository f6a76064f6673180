import { type OperatorFunction, pipe } from "rxjs";
import type { FinishEvent, StopInfo } from "../types.js";
import { cutAtStopSequences } from "./cutAtStopSequences.js";
import { takeTokens } from "./takeTokens.js";

/** Options of {@link stopWhen}. */
export interface StopWhenOptions {
  /** End-of-sequence token id(s): the stream completes there; the EOS event itself is not emitted. */
  eos?: number | readonly number[] | undefined;
  /** Complete after this many tokens (the last one is emitted). Integer ≥ 0; default: no limit. */
  maxTokens?: number | undefined;
  /**
   * Strings that end the text. Needs events with `text` (put `decodeText` before `stopWhen`). Text that
   * may still become a stop string is held back; a matched stop string is never emitted.
   */
  stopSequences?: readonly string[] | undefined;
  /** Called once, before completion, with why the stream stopped (not called when the input simply ends). */
  onStop?: ((info: StopInfo) => void) | undefined;
}

/**
 * Completes a token (or text) event stream at EOS, after `maxTokens`, or at the first stop sequence:
 * {@link takeTokens} (EOS and the token limit) followed by {@link cutAtStopSequences} (when stop
 * sequences are given). The last event is a `FinishEvent` saying why (`"stop"` with `eosToken` or
 * `stopSequence`, or `"length"`); a finish event from upstream (`generate`'s) passes through after the
 * held text. Completing unsubscribes upstream, which aborts a `generate` loop's model call in flight.
 *
 * @param options - EOS ids, the token limit, stop strings and a stop callback.
 * @returns The operator.
 * @example
 * // texts "Hel", "lo\n", "\nBye" with stopSequences ["\n\n"]
 * // → "Hel", "lo" (the event of "lo\n" is held, then cut at the match), then the finish event
 */
export function stopWhen<T extends { token: number; step?: number; text?: string }>(
  options: StopWhenOptions,
): OperatorFunction<T | FinishEvent, T | FinishEvent> {
  const take = takeTokens<T>({ eos: options.eos, maxTokens: options.maxTokens, onStop: options.onStop });
  const stops = options.stopSequences ?? [];
  if (stops.length === 0) return take;
  return pipe(take, cutAtStopSequences<T>({ stopSequences: stops, onStop: options.onStop }));
}
