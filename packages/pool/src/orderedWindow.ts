/**
 * Maps an async source through an async function with at most `limit` calls outstanding, yielding the
 * results in source order. "Outstanding" counts every item taken from the source and not yet taken by
 * the consumer, so the source is pulled only when there is room *and* the consumer has taken earlier
 * results: neither a large input nor a slow consumer grows memory beyond `limit` items.
 *
 * A ready result is yielded as soon as the items before it are, even while the source is waiting for its
 * next item (one `next()` on the source may be pending while results are delivered).
 *
 * If a call rejects, the results before it are yielded, then its error is thrown; the source is closed
 * (`return()`), and `onAbandon` is called once for each result that will not be yielded.
 */
export async function* orderedWindow<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
  start: (item: T, index: number) => Promise<R>,
  hooks: {
    onAbandon?: (p: Promise<R>) => void;
    onCount?: (outstanding: number) => void;
    /** Rejects to stop the iteration at once, even while the source is waiting for input. */
    stop?: Promise<never>;
  } = {},
): AsyncGenerator<R, void, undefined> {
  const it =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
  const window: Promise<R>[] = [];
  let pull: Promise<IteratorResult<T>> | undefined;
  let done = false;
  let index = 0;
  // Tags let one Promise.race tell a source item from a finished head result.
  const PULLED = 0;
  const HEAD = 1;
  // The stop promise is long-lived (the pool's) and usually never settles: racing it directly would
  // add a reaction to it on every step, and each reaction keeps that step's race result — the pulled
  // item, a whole chunk — alive for as long as the stop promise lives. So it is observed once, and each
  // step races a short-lived promise that the observer rejects; nothing refers to it after the step.
  let stopped: { error: unknown } | undefined;
  let stopStep: ((e: unknown) => void) | undefined;
  hooks.stop?.catch((error: unknown) => {
    stopped = { error };
    stopStep?.(error);
  });
  try {
    for (;;) {
      if (stopped !== undefined) throw stopped.error;
      if (!done && pull === undefined && window.length < limit) pull = Promise.resolve(it.next());
      if (window.length === 0 && pull === undefined) return;
      const waits: Promise<readonly [number, unknown]>[] = [];
      if (hooks.stop !== undefined) {
        waits.push(
          new Promise<never>((_, reject) => {
            stopStep = reject;
          }),
        );
      }
      if (pull !== undefined) waits.push(pull.then((r) => [PULLED, r] as const));
      if (window.length > 0) {
        waits.push(
          window[0]!.then(
            () => [HEAD, undefined] as const,
            () => [HEAD, undefined] as const,
          ),
        );
      }
      let tag: number;
      let value: unknown;
      try {
        [tag, value] = await Promise.race(waits);
      } finally {
        stopStep = undefined;
      }
      if (tag === PULLED) {
        pull = undefined;
        const r = value as IteratorResult<T>;
        if (r.done === true) {
          done = true;
          continue;
        }
        const p = start(r.value, index++);
        p.catch(() => {}); // observed when it reaches the head; avoid an unhandled rejection meanwhile
        window.push(p);
        hooks.onCount?.(window.length);
        continue;
      }
      const head = window.shift()!;
      const result = await head; // settled: throws here, in order, if the call failed
      yield result;
      hooks.onCount?.(window.length);
    }
  } finally {
    for (const p of window) hooks.onAbandon?.(p);
    window.length = 0;
    if (!done) {
      if (pull !== undefined) {
        // A pull is pending (the source is waiting for input): close the source without waiting on it,
        // or an aborted job would hang until the next input arrives.
        pull.catch(() => {});
        Promise.resolve(it.return?.()).catch(() => {});
      } else {
        await it.return?.();
      }
    }
  }
}
