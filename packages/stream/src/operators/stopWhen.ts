import { InvalidParamsError } from "@logitstream/core";
import { Observable, type OperatorFunction, of } from "rxjs";
import { StreamUsageError } from "../errors.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import { isFinishEvent } from "../isFinishEvent.js";
import type { FinishEvent, StopInfo } from "../types.js";

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

interface Buffered<T> {
  event: T;
  text: string;
}

/**
 * Completes a token (or text) event stream at EOS, after `maxTokens`, or at the first stop sequence,
 * unsubscribing upstream (which aborts a `generate` loop's in-flight model call).
 *
 * Stop sequences are matched on the concatenated `text` of the events, across token boundaries. An event
 * whose text ends with a proper prefix of some stop sequence is held back (whole, with its own text)
 * until the prefix is either completed — then the text from the match on is cut and the stream completes
 * — or broken, then the held events are emitted unchanged. So every emitted event keeps its own text,
 * events are never duplicated or reordered, and the concatenated text never contains a stop sequence.
 * Where several stop sequences match, the one starting earliest wins. When the input ends, held events
 * are released, and so they are before an upstream error.
 *
 * When it ends the stream itself, the last event is a `FinishEvent` (`"stop"` with `stopSequence` or
 * `eosToken`, or `"length"`), so a generation piped through it still ends by saying why; a finish event
 * from upstream (`generate`'s) is passed through after the held events.
 *
 * @example
 * // texts "Hel", "lo\n", "\nBye" with stopSequences ["\n\n"]
 * // → "Hel", "lo" (the event of "lo\n" is held, then cut at the match), then complete
 */
export function stopWhen<T extends { token: number; step?: number; text?: string }>(
  options: StopWhenOptions,
): OperatorFunction<T | FinishEvent, T | FinishEvent> {
  const eos =
    options.eos === undefined ? [] : typeof options.eos === "number" ? [options.eos] : [...options.eos];
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  if (!(maxTokens >= 0) || (Number.isFinite(maxTokens) && !Number.isInteger(maxTokens))) {
    throw new InvalidParamsError("maxTokens", `expected an integer ≥ 0, got ${String(options.maxTokens)}`);
  }
  const stops = options.stopSequences === undefined ? [] : [...options.stopSequences];
  for (const s of stops) {
    if (typeof s !== "string" || s.length === 0) {
      throw new InvalidParamsError("stopSequences", "every stop sequence must be a non-empty string");
    }
  }
  const onStop = options.onStop;
  const isEos = (t: number): boolean => {
    for (let i = 0; i < eos.length; i++) if (eos[i] === t) return true;
    return false;
  };

  return (source) => {
    if (maxTokens === 0) return of<FinishEvent>({ finishReason: "length", steps: 0 });
    return new Observable<T | FinishEvent>((subscriber) => {
      let count = 0;
      let emitted = 0; // token events passed on, for the finish event's `steps`
      let buffer: Buffered<T>[] = [];
      let pending = ""; // concatenated text of `buffer`

      const flush = (): void => {
        const out = buffer;
        buffer = [];
        pending = "";
        for (let i = 0; i < out.length && !subscriber.closed; i++) emit(out[i]!.event);
      };
      const emit = (event: T): void => {
        emitted++;
        subscriber.next(event);
      };
      const finish = (info: StopInfo, eosToken?: number): void => {
        onStop?.(info);
        const event: FinishEvent = {
          finishReason: info.reason === "length" ? "length" : "stop",
          steps: emitted,
        };
        if (info.sequence !== undefined) event.stopSequence = info.sequence;
        if (eosToken !== undefined) event.eosToken = eosToken;
        subscriber.next(event);
        subscriber.complete();
      };

      subscribeLinked(source, subscriber, {
        next(input) {
          if (isFinishEvent(input)) {
            // The generation ended upstream: release what was held (it can no longer become a stop string).
            flush();
            subscriber.next(input);
            return;
          }
          const event = input as T;
          const step = event.step ?? count;
          if (eos.length > 0 && isEos(event.token)) {
            flush();
            finish({ reason: "eos", step }, event.token);
            return;
          }
          count++;
          if (stops.length === 0) {
            emit(event);
            if (count >= maxTokens) finish({ reason: "length", step });
            return;
          }
          const text = event.text;
          if (typeof text !== "string") {
            subscriber.error(
              new StreamUsageError(
                "stopWhen({ stopSequences }) needs events with text: put decodeText(tokenizer) before it",
              ),
            );
            return;
          }
          buffer.push({ event, text });
          pending += text;

          // 1. A complete match: cut the text there and stop.
          let at = -1;
          let matched = "";
          for (const s of stops) {
            const i = pending.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
              at = i;
              matched = s;
            }
          }
          if (at >= 0) {
            let start = 0;
            for (let k = 0; k < buffer.length && !subscriber.closed; k++) {
              const b = buffer[k]!;
              if (start >= at) break;
              const end = start + b.text.length;
              emit(end <= at ? b.event : Object.assign({}, b.event, { text: b.text.slice(0, at - start) }));
              start = end;
            }
            buffer = [];
            pending = "";
            finish({ reason: "stop", step, sequence: matched });
            return;
          }
          if (count >= maxTokens) {
            flush();
            finish({ reason: "length", step });
            return;
          }

          // 2. Hold the longest suffix that is a proper prefix of some stop sequence; release whole events before it.
          let hold = 0;
          for (let q = 0; q < stops.length; q++) {
            const k = suffixPrefix(pending, stops[q]!, hold);
            if (k > hold) hold = k;
          }
          const safe = pending.length - hold;
          let end = 0;
          let n = 0;
          while (n < buffer.length && end + buffer[n]!.text.length <= safe) end += buffer[n++]!.text.length;
          if (n === 0) return;
          // Emit in place, then drop the emitted entries (the common case, nothing held, empties the buffer).
          for (let k = 0; k < n && !subscriber.closed; k++) emit(buffer[k]!.event);
          if (n === buffer.length) {
            buffer.length = 0;
            pending = "";
          } else {
            buffer.splice(0, n);
            pending = pending.slice(end);
          }
        },
        error(err) {
          // The stream ends here, so held text can no longer become a stop sequence: release it first.
          flush();
          subscriber.error(err);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });
    });
  };
}

/**
 * The length of the longest proper prefix of `stop` that is a suffix of `text`, if longer than `atLeast`
 * (else `atLeast` or less). Compares characters in place: no substring is allocated per token.
 */
function suffixPrefix(text: string, stop: string, atLeast: number): number {
  const tl = text.length;
  for (let k = Math.min(stop.length - 1, tl); k > atLeast; k--) {
    let j = 0;
    const from = tl - k;
    while (j < k && text.charCodeAt(from + j) === stop.charCodeAt(j)) j++;
    if (j === k) return k;
  }
  return 0;
}
