import { InvalidParamsError } from "@logitstream/core";
import { Observable, type OperatorFunction, type Subscriber } from "rxjs";
import { StreamUsageError } from "../errors.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import { isFinishEvent } from "../isFinishEvent.js";
import type { FinishEvent, StopInfo } from "../types.js";

/** Options of {@link cutAtStopSequences}. */
export interface CutAtStopSequencesOptions {
  /** Strings that end the text (non-empty). A matched stop string is never emitted. */
  stopSequences: readonly string[];
  /** Called once, before completion, when a stop string ended the stream. */
  onStop?: ((info: StopInfo) => void) | undefined;
}

interface Buffered<T> {
  event: T;
  text: string;
}

/**
 * Completes a text event stream at the first stop sequence, matched on the concatenated `text` of the
 * events, across token boundaries (put `decodeText` before it). An event whose text ends with a proper
 * prefix of some stop sequence is held back (whole, with its own text) until the prefix is either
 * completed — then the text from the match on is cut, a `FinishEvent` (`"stop"`, `stopSequence`) is
 * emitted and the stream completes — or broken, then the held events are emitted unchanged. So every
 * emitted event keeps its own text, events are never duplicated or reordered, and the concatenated text
 * never contains a stop sequence. Where several match, the one starting earliest wins. Held events are
 * released when the input ends, errors, or sends its own finish event (which then passes through).
 *
 * @param options - The stop strings and a stop callback.
 * @returns The operator.
 * @throws {InvalidParamsError} an empty or non-string stop sequence.
 * @example
 * // texts "Hel", "lo\n", "\nBye" with stopSequences ["\n\n"]
 * // → "Hel", "lo" (the event of "lo\n" is held, then cut at the match), then { finishReason: "stop", stopSequence: "\n\n" }
 */
export function cutAtStopSequences<T extends { token: number; step?: number; text?: string }>(
  options: CutAtStopSequencesOptions,
): OperatorFunction<T | FinishEvent, T | FinishEvent> {
  const stops = [...options.stopSequences];
  for (const s of stops) {
    if (typeof s !== "string" || s.length === 0) {
      throw new InvalidParamsError("stopSequences", "every stop sequence must be a non-empty string");
    }
  }
  const onStop = options.onStop;
  return (source) =>
    new Observable<T | FinishEvent>((subscriber) => {
      const run = new StopSequenceRun<T>(subscriber, stops, onStop);
      subscribeLinked(source, subscriber, {
        next(input) {
          if (isFinishEvent(input)) run.upstreamFinished(input);
          else run.token(input as T);
        },
        error(err) {
          run.release();
          subscriber.error(err);
        },
        complete() {
          run.release();
          subscriber.complete();
        },
      });
    });
}

/** One subscription's state: the held text, the tokens seen and the token events emitted. */
class StopSequenceRun<T extends { token: number; step?: number; text?: string }> {
  private readonly held: HeldText<T>;
  private count = 0;
  private emitted = 0; // token events passed on, for the finish event's `steps`
  constructor(
    private readonly subscriber: Subscriber<T | FinishEvent>,
    stops: readonly string[],
    private readonly onStop: ((info: StopInfo) => void) | undefined,
  ) {
    this.held = new HeldText<T>(stops);
  }

  /** Holds the event, releases what can no longer start a stop string, or stops at a match. */
  token(event: T): void {
    const step = event.step ?? this.count;
    this.count++;
    if (typeof event.text !== "string") {
      this.subscriber.error(
        new StreamUsageError(
          "stopping at stop sequences needs events with text: put decodeText(tokenizer) before it",
        ),
      );
      return;
    }
    const match = this.held.push(event, event.text);
    if (match === undefined) {
      this.emit(this.held.takeSafe());
      return;
    }
    this.emit(match.before);
    this.onStop?.({ reason: "stop", step, sequence: match.sequence });
    this.subscriber.next({ finishReason: "stop", steps: this.emitted, stopSequence: match.sequence });
    this.subscriber.complete();
  }

  /** The generation ended upstream: what was held can no longer become a stop string. */
  upstreamFinished(event: FinishEvent): void {
    this.release();
    this.subscriber.next(event);
  }

  release(): void {
    this.emit(this.held.takeAll());
  }

  private emit(events: readonly T[]): void {
    for (const e of events) {
      if (this.subscriber.closed) return;
      this.emitted++;
      this.subscriber.next(e);
    }
  }
}

/** The events held back because their text may still become a stop sequence, and their joined text. */
class HeldText<T> {
  private buffer: Buffered<T>[] = [];
  private pending = "";
  constructor(private readonly stops: readonly string[]) {}

  /**
   * Adds an event. On a complete match returns the events before it (the one holding the match start cut
   * there, with its text shortened) and the sequence; the held events are then dropped.
   */
  push(event: T, text: string): { before: T[]; sequence: string } | undefined {
    this.buffer.push({ event, text });
    this.pending += text;
    let at = -1;
    let sequence = "";
    for (const s of this.stops) {
      const i = this.pending.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        sequence = s;
      }
    }
    if (at < 0) return undefined;
    const before: T[] = [];
    let start = 0;
    for (const b of this.buffer) {
      if (start >= at) break;
      const end = start + b.text.length;
      before.push(end <= at ? b.event : Object.assign({}, b.event, { text: b.text.slice(0, at - start) }));
      start = end;
    }
    this.buffer = [];
    this.pending = "";
    return { before, sequence };
  }

  /** The whole events before the longest suffix that is a proper prefix of a stop sequence (removed). */
  takeSafe(): T[] {
    let hold = 0;
    for (const s of this.stops) {
      const k = suffixPrefix(this.pending, s, hold);
      if (k > hold) hold = k;
    }
    const safe = this.pending.length - hold;
    let end = 0;
    let n = 0;
    while (n < this.buffer.length && end + this.buffer[n]!.text.length <= safe)
      end += this.buffer[n++]!.text.length;
    if (n === 0) return [];
    const out = this.buffer.slice(0, n).map((b) => b.event);
    this.buffer.splice(0, n);
    this.pending = this.pending.slice(end);
    return out;
  }

  /** Every held event (removed). */
  takeAll(): T[] {
    const out = this.buffer.map((b) => b.event);
    this.buffer = [];
    this.pending = "";
    return out;
  }
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
