import type { Writable } from "node:stream";
import { OutputClosedError, OutputError } from "./errors.js";

/**
 * stdout as the CLI uses it: writes wait for `drain` (backpressure, so memory stays bounded with a
 * slow reader), a closed pipe (EPIPE, e.g. `| head -1`) becomes OutputClosedError (quiet exit 0),
 * any other write failure OutputError (exit 74). `onClosed` lets the run stop its input and workers.
 */
export class Output {
  readonly #stream: Writable;
  #failure: Error | undefined;
  readonly #listeners: Array<(err: Error) => void> = [];

  readonly #signal: AbortSignal | undefined;

  /** `signal`: a write waiting for `drain` gives up when it aborts (Ctrl-C with a reader that stopped reading). */
  constructor(stream: Writable, signal?: AbortSignal) {
    this.#stream = stream;
    this.#signal = signal;
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (this.#failure) return;
      this.#failure =
        err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED"
          ? new OutputClosedError()
          : new OutputError(`cannot write the output: ${err.message}`, { cause: err });
      for (const l of this.#listeners) l(this.#failure);
    });
  }

  /** The error that ended the output, if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Calls `listener` once when the output fails (closed pipe or write error). */
  onFailure(listener: (err: Error) => void): void {
    if (this.#failure) listener(this.#failure);
    else this.#listeners.push(listener);
  }

  /** Writes bytes or text; resolves at once unless the stream asks to wait for `drain`. */
  write(chunk: Uint8Array | string): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    if (chunk.length === 0) return undefined;
    if (this.#stream.write(chunk)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const signal = this.#signal;
      const done = (): void => {
        this.#stream.off("drain", onDrain);
        this.#stream.off("error", onError);
        signal?.removeEventListener("abort", onAbort);
      };
      const onDrain = (): void => {
        done();
        resolve();
      };
      const onError = (): void => {
        done();
        reject(this.#failure ?? new OutputClosedError());
      };
      const onAbort = (): void => {
        done();
        reject(signal!.reason);
      };
      this.#stream.once("drain", onDrain);
      this.#stream.once("error", onError);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Resolves when everything written so far has been handed to the OS (or the output failed). */
  flush(): Promise<void> {
    if (this.#failure || this.#stream.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#stream.write("", () => resolve());
    });
  }
}
