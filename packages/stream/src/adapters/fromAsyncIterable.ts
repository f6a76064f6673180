import { Observable } from "rxjs";
import type { Pacer } from "../pacer.js";

/** Options of {@link fromAsyncIterable}. */
export interface FromAsyncIterableOptions {
  /** Backpressure from a sink: no item is pulled while it is paused. */
  pacer?: Pacer | undefined;
}

/**
 * An `AsyncIterable` (a wire reader, a Node `Readable`, an async generator) as a cold `Observable` that
 * pulls one item at a time: the next item is requested only after the previous one was emitted, and not
 * at all while `options.pacer` is paused — so a slow sink bounds what is read. Unsubscribing calls the
 * iterator's `return()` (which closes a file or destroys a `Readable`).
 *
 * Unlike rxjs `from(asyncIterable)`, it waits on the pacer between items, which is what lets a
 * `Readable` sink slow the reader down.
 */
export function fromAsyncIterable<T>(
  iterable: AsyncIterable<T>,
  options: FromAsyncIterableOptions = {},
): Observable<T> {
  const pacer = options.pacer;
  return new Observable<T>((subscriber) => {
    const iterator = iterable[Symbol.asyncIterator]();
    let finished = false;
    let cancelWait: (() => void) | undefined;

    const pull = (): void => {
      cancelWait = undefined;
      if (subscriber.closed) return;
      if (pacer?.paused) {
        cancelWait = pacer.onReady(pull);
        return;
      }
      iterator.next().then(
        (r) => {
          if (r.done) finished = true;
          if (subscriber.closed) return;
          if (r.done) {
            subscriber.complete();
            return;
          }
          subscriber.next(r.value);
          pull();
        },
        (err: unknown) => {
          finished = true;
          if (!subscriber.closed) subscriber.error(err);
        },
      );
    };
    pull();

    return () => {
      cancelWait?.();
      cancelWait = undefined;
      if (!finished && typeof iterator.return === "function") {
        finished = true;
        // The iterator's own clean-up; a rejection here has nobody left to report to.
        Promise.resolve(iterator.return()).catch(() => {});
      }
    };
  });
}
