import { type Observable, Subscriber } from "rxjs";
import { StreamUsageError } from "../errors.js";
import type { Pacer } from "../pacer.js";

/** Options of {@link toAsyncIterable}. */
export interface ToAsyncIterableOptions {
  /**
   * Pass the pacer the source waits on (`generate(..., { pacer })`, `fromAsyncIterable(it, { pacer })`):
   * the iterator pauses it when `highWaterMark` items are waiting for the loop and resumes it when the
   * loop takes them, so a slow `for await` body slows the model down instead of buffering its output.
   * Without a pacer every item the source emits is buffered until the loop takes it.
   */
  pacer?: Pacer | undefined;
  /** Items buffered before the pacer is paused. Default 1: the source runs one item ahead. */
  highWaterMark?: number;
}

/**
 * An `Observable` as an `AsyncIterableIterator`, for `for await (const ev of ...)`: subscribes on the
 * first `next()`, hands out the items in order, ends when the Observable completes and throws its
 * error. Leaving the loop early (`break`, `return`, an exception in the body) calls `return()`, which
 * unsubscribes — for `generate`, that aborts the model call in flight and makes no further one.
 *
 * Each call returns a fresh iterator with its own subscription (the Observable stays cold).
 *
 * @param source$ - Any Observable.
 * @param options - `pacer` (backpressure to the source) and `highWaterMark`.
 * @returns An async iterator over the items.
 *
 * @example
 * ```ts
 * const pacer = createPacer();
 * const events$ = generate(model, ids, { seed: 1 }, { pacer }).pipe(decodeText(tokenizer));
 * for await (const ev of toAsyncIterable(events$, { pacer })) {
 *   process.stdout.write(ev.text);
 *   if (ev.text.includes(".")) break; // unsubscribes: the model call in flight is aborted
 * }
 * ```
 */
export function toAsyncIterable<T>(
  source$: Observable<T>,
  options: ToAsyncIterableOptions = {},
): AsyncIterableIterator<T> {
  const { pacer } = options;
  const highWaterMark = Math.max(1, options.highWaterMark ?? 1);
  const buffer: T[] = [];
  let subscriber: Subscriber<T> | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;

  const settle = (): void => {
    const w = waiting;
    if (w === undefined) return;
    if (buffer.length > 0) {
      waiting = undefined;
      w.resolve({ value: take(), done: false });
    } else if (failure !== undefined) {
      waiting = undefined;
      const { error } = failure;
      failure = undefined;
      w.reject(error);
    } else if (finished) {
      waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };
  // Takes the oldest item; resuming the pacer may run the source synchronously (one more item).
  const take = (): T => {
    const value = buffer.shift() as T;
    if (buffer.length < highWaterMark && pacer?.paused) pacer.resume();
    return value;
  };
  const start = (): void => {
    // The subscriber exists before subscribe() runs a synchronous source, so return() can close it
    // even from inside that run.
    subscriber = new Subscriber<T>({
      next(value) {
        buffer.push(value);
        if (buffer.length >= highWaterMark) pacer?.pause();
        settle();
      },
      error(error: unknown) {
        finished = true;
        failure = { error };
        settle();
      },
      complete() {
        finished = true;
        settle();
      },
    });
    source$.subscribe(subscriber);
  };
  const stop = (): IteratorResult<T> => {
    finished = true;
    failure = undefined;
    buffer.length = 0;
    subscriber?.unsubscribe();
    if (subscriber === undefined) subscriber = new Subscriber<T>();
    settle();
    return { value: undefined, done: true };
  };

  return {
    next(): Promise<IteratorResult<T>> {
      if (subscriber === undefined && !finished) start();
      if (buffer.length > 0) return Promise.resolve({ value: take(), done: false });
      if (failure !== undefined) {
        const { error } = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      if (waiting !== undefined) {
        return Promise.reject(
          new StreamUsageError("toAsyncIterable: next() called again before the previous call settled"),
        );
      }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return(): Promise<IteratorResult<T>> {
      return Promise.resolve(stop());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
