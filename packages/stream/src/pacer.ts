/**
 * A pacer carries backpressure from a sink (a Node `Readable` whose buffer is full) back to a source
 * (`generate`, `fromAsyncIterable`, `fromReadable`) across an RxJS pipeline, which itself has no
 * notion of demand. The sink pauses it when it cannot take more and resumes it when it is read; the
 * source checks it before producing the next item. Operators in between are synchronous and one-in,
 * at-most-a-few-out, so what is in flight is bounded by the sink's high-water mark plus one item.
 */
export interface Pacer {
  /** `true` while the sink wants no more items. */
  readonly paused: boolean;
  /** Called by the sink when it cannot take more. */
  pause(): void;
  /** Called by the sink when it wants more; runs the waiting callbacks. */
  resume(): void;
  /**
   * Runs `callback` once the pacer is not paused (right away, synchronously, if it is not).
   * Returns a function that cancels the wait (sources call it on teardown, so no callback leaks).
   */
  onReady(callback: () => void): () => void;
}

/**
 * Creates a {@link Pacer}: pass the same object to the source (`generate(..., { pacer })`,
 * `fromAsyncIterable(it, { pacer })`) and to the sink (`toNdjsonReadable(events$, { pacer })`).
 *
 * @example
 * const pacer = createPacer();
 * const out = toTextReadable(generate(model, ids, params, { pacer }).pipe(decodeText(tok)), { pacer });
 * out.pipe(process.stdout); // a slow stdout slows the model: tokens are produced as they are written
 */
export function createPacer(): Pacer {
  let paused = false;
  const waiting = new Set<() => void>();
  return {
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      if (!paused) return;
      paused = false;
      for (const cb of [...waiting]) {
        if (paused) break;
        waiting.delete(cb);
        cb();
      }
    },
    onReady(callback) {
      if (!paused) {
        callback();
        return noop;
      }
      // A fresh wrapper per wait, so the same callback may wait twice without colliding in the set.
      const entry = (): void => callback();
      waiting.add(entry);
      return () => {
        waiting.delete(entry);
      };
    },
  };
}

function noop(): void {}
