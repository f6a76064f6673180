import { Readable } from "node:stream";
import type { Observable, Subscription } from "rxjs";
import type { Pacer } from "../pacer.js";

/** Options shared by the `to*Readable` adapters. */
export interface ToReadableOptions {
  /**
   * The pacer the source was built with (`generate(..., { pacer })`, `fromAsyncIterable(it, { pacer })`):
   * paused while the readable's buffer is above its high-water mark, resumed when it is read. Without one
   * the readable still works, but buffers whatever the source produces.
   */
  pacer?: Pacer | undefined;
  /** Bytes buffered before the pacer is paused. Default 16 KiB (Node's default). */
  highWaterMark?: number | undefined;
}

/**
 * The common part of the `to*Readable` adapters: a byte `Readable` that subscribes on its first read,
 * pushes each encoded event, pauses the pacer when `push` says the buffer is full and resumes it on the
 * next read, ends when the observable completes, is destroyed with its error, and unsubscribes (which
 * aborts a `generate` loop) when it is destroyed early — e.g. `| head` closed the pipe.
 * @internal
 */
export function toReadable<T>(
  events$: Observable<T>,
  encode: (event: T) => Uint8Array | string | undefined,
  options: ToReadableOptions,
): Readable {
  const pacer = options.pacer;
  let subscription: Subscription | undefined;
  let started = false;
  // An error that arrived while bytes were still buffered: raised once they are read, so the records
  // before it (a generation's finish event above all) reach the reader.
  let pendingError: Error | undefined;
  const readable: Readable = new Readable({
    highWaterMark: options.highWaterMark ?? 16384,
    read() {
      if (pendingError !== undefined) {
        // Raise it once the buffer is read; until then an empty push ends this read request, so the
        // stream asks again when the buffer is empty.
        if (readable.readableLength === 0) readable.destroy(pendingError);
        else readable.push(new Uint8Array(0));
        return;
      }
      if (started) {
        pacer?.resume();
        return;
      }
      started = true;
      subscription = events$.subscribe({
        next(event) {
          let chunk: Uint8Array | string | undefined;
          try {
            chunk = encode(event);
          } catch (err) {
            readable.destroy(err as Error);
            return;
          }
          if (chunk === undefined || chunk.length === 0) return;
          if (!readable.push(chunk)) pacer?.pause();
        },
        error(err: unknown) {
          const e = err instanceof Error ? err : new Error(String(err));
          if (readable.readableLength === 0) readable.destroy(e);
          else pendingError = e;
        },
        complete() {
          readable.push(null);
        },
      });
    },
    destroy(err, callback) {
      subscription?.unsubscribe();
      subscription = undefined;
      callback(err);
    },
  });
  return readable;
}
