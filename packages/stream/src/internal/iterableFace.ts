import type { Observable } from "rxjs";
import { toAsyncIterable } from "../adapters/toAsyncIterable.js";
import { createPacer, type Pacer } from "../pacer.js";
import type { IterableObservable } from "../types.js";

/**
 * Gives `events$` an async-iterator face: `[Symbol.asyncIterator]()` subscribes to `paced(pacer)` — the
 * same Observable built with a fresh pacer the iterator pauses while its loop body runs — so
 * `for await` steps the source one item at a time and `break` unsubscribes. @internal
 */
export function iterableFace<T>(
  events$: Observable<T>,
  paced: (pacer: Pacer) => Observable<T>,
): IterableObservable<T> {
  const face = events$ as IterableObservable<T>;
  face[Symbol.asyncIterator] = () => {
    const pacer = createPacer();
    return toAsyncIterable(paced(pacer), { pacer });
  };
  return face;
}
