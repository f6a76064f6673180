import { type Observable, type Observer, Subscriber } from "rxjs";

/**
 * Subscribes an operator's `observer` to its `source`, linked to the operator's own `destination`
 * subscriber — what rxjs's internal `OperatorSubscriber` does.
 *
 * Why not `source.subscribe({ next, error, complete })`: with a synchronous source (`from(array)`, or
 * `generate` over a synchronous model) the whole source runs inside that call, before the returned
 * subscription exists, so an operator that completes early (stopWhen, take) could not stop it — an
 * infinite synchronous source would never end. Here the inner subscriber is added to `destination`
 * first, so when `destination` closes, the inner one is closed too and the source sees it at once.
 * An exception thrown by the observer goes to `destination.error`, as in rxjs operators.
 * @internal
 */
export function subscribeLinked<T>(
  source: Observable<T>,
  destination: Subscriber<unknown>,
  observer: Observer<T>,
): void {
  const inner = new Subscriber<T>({
    next(value) {
      try {
        observer.next(value);
      } catch (err) {
        destination.error(err);
      }
    },
    error(err: unknown) {
      try {
        observer.error(err);
      } catch (e) {
        destination.error(e);
      }
    },
    complete() {
      try {
        observer.complete();
      } catch (err) {
        destination.error(err);
      }
    },
  });
  destination.add(inner);
  source.subscribe(inner);
}
