import type { AbortedError } from "@logitstream/core";
import { jobAborted, PoolClosedError } from "./errors.js";

/** Where a pool is in its life: new calls are accepted only while "open". */
type PoolState = "open" | "closing" | "closed" | "destroyed" | "aborted";

/**
 * The pool's state and the errors it implies. Aborted (the pool's signal fired) and destroyed are final:
 * tasks in flight reject, and the `stopped` promise rejects so streaming runs stop even while their
 * source waits for input.
 */
export class PoolLifecycle {
  #state: PoolState = "open";
  #abortReason: unknown;
  #stop!: (e: Error) => void;
  /** Rejects once the pool is aborted (with `AbortedError`) or destroyed (with `PoolClosedError`). */
  readonly stopped: Promise<never>;

  constructor() {
    this.stopped = new Promise<never>((_, reject) => {
      this.#stop = reject;
    });
    this.stopped.catch(() => {});
  }

  get state(): PoolState {
    return this.#state;
  }

  /** Aborted or destroyed: nothing more runs, and recycled memory is dropped rather than kept. */
  get halted(): boolean {
    return this.#state === "aborted" || this.#state === "destroyed";
  }

  /** Throws unless the pool accepts new calls (open). */
  checkOpen(): void {
    if (this.#state === "aborted") throw jobAborted(this.#abortReason);
    if (this.#state === "destroyed") throw new PoolClosedError("destroyed");
    if (this.#state !== "open") throw new PoolClosedError("closed");
  }

  /** Throws if a task may not run now: the pool aborted or destroyed, or the call's signal aborted. */
  checkRunnable(signal: AbortSignal | undefined): void {
    if (this.#state === "aborted") throw jobAborted(this.#abortReason);
    if (this.#state === "destroyed") throw new PoolClosedError("destroyed");
    if (signal?.aborted) throw jobAborted(signal.reason);
  }

  /** The pool's signal fired. Returns false if the pool had already stopped. */
  abort(reason: unknown): boolean {
    if (this.halted) return false;
    this.#state = "aborted";
    this.#abortReason = reason;
    this.#stop(jobAborted(reason));
    return true;
  }

  /** The pool's own abort error, if it was aborted. */
  abortError(): AbortedError | undefined {
    return this.#state === "aborted" ? jobAborted(this.#abortReason) : undefined;
  }

  beginClose(): void {
    if (this.#state === "open") this.#state = "closing";
  }

  endClose(): void {
    if (this.#state === "closing") this.#state = "closed";
  }

  destroy(): void {
    if (this.#state !== "aborted") this.#state = "destroyed";
    this.#stop(new PoolClosedError("destroyed"));
  }
}
