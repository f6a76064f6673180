/**
 * Typed errors of @logitstream/pool. Each names what failed, which rows, and what to do; each extends
 * core's `LogitstreamError`, so `instanceof LogitstreamError` catches them with every other package's.
 */
import { AbortedError, LogitstreamError } from "@logitstream/core";

/** Base class of the pool's own errors (not the data errors a task may report: those keep their class). */
export class PoolError extends LogitstreamError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** How a task's worker failed. */
export type WorkerFault = "threw" | "exited" | "out-of-memory";

/**
 * A task failed in a worker twice — the worker threw an unexpected error, exited, or ran out of memory,
 * and the retry on a fresh worker failed too. Names the rows of the failed batch; every row before
 * `firstRow` has been delivered, none of `firstRow … lastRow` has.
 */
export class WorkerCrashError extends PoolError {
  /** Global index of the batch's first row. */
  readonly firstRow: number;
  /** Number of rows in the failed batch. */
  readonly rows: number;
  /** Global index of the batch's last row (`firstRow + rows - 1`). */
  readonly lastRow: number;
  /** Attempts made (the first run plus retries). */
  readonly attempts: number;
  /** How the last attempt failed. */
  readonly fault: WorkerFault;
  constructor(firstRow: number, rows: number, attempts: number, fault: WorkerFault, cause: unknown) {
    const last = firstRow + rows - 1;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      "E_WORKER_CRASH",
      `rows ${firstRow}–${last}: the worker ${describe(fault)} on each of ${attempts} attempts (${detail}). ` +
        `Rows before ${firstRow} were delivered; none of rows ${firstRow}–${last} were. ${advice(fault)}`,
      { cause },
    );
    this.firstRow = firstRow;
    this.rows = rows;
    this.lastRow = last;
    this.attempts = attempts;
    this.fault = fault;
  }
}

function advice(fault: WorkerFault): string {
  if (fault === "out-of-memory")
    return "Raise the worker memory limit (maxWorkerMemoryMb) or use smaller batches.";
  if (fault === "exited")
    return "Something in the worker called process.exit or crashed natively; rerun from that row.";
  return "This is a bug in logitstream or a kernel: report it with the cause below.";
}

function describe(fault: WorkerFault): string {
  if (fault === "exited") return "exited";
  if (fault === "out-of-memory") return "ran out of memory";
  return "threw an unexpected error";
}

/**
 * The worker threads could not start: the worker entry failed to load (a missing or broken dependency,
 * a module that throws at import), so no task can run. Every pending task of the pool rejects with it;
 * nothing was computed on the workers. `cause` is the workers' own error.
 */
export class WorkerStartError extends PoolError {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      "E_WORKER_START",
      `the pool's worker threads could not start (${detail}). The installation may be incomplete or ` +
        "broken: reinstall the package and its dependencies.",
      { cause },
    );
  }
}

/**
 * The job was cancelled: the pool's or the call's `AbortSignal` fired. Core's `AbortedError` (the one
 * abort class of every package), with the pool's message; `cause` is the signal's reason.
 */
export function jobAborted(reason: unknown): AbortedError {
  return new AbortedError(
    reason,
    "the job was aborted; its pending tasks were cancelled and the workers torn down",
  );
}

/** A task was submitted after `close()` or `destroy()`, or was still pending when `destroy()` ran. */
export class PoolClosedError extends PoolError {
  constructor(what: "closed" | "destroyed") {
    super(
      what === "closed" ? "E_POOL_CLOSED" : "E_POOL_DESTROYED",
      what === "closed"
        ? "the pool is closed: it accepts no new tasks (create a new pool)"
        : "the pool was destroyed before this task finished",
    );
  }
}

/**
 * The pool's queue is full: `maxQueue` tasks are already waiting for a worker, so this call was not
 * queued (nothing of it ran, nothing was staged). Retryable: the same call may succeed once tasks in
 * flight finish — a server answers 503 with Retry-After, a batch job waits and retries.
 */
export class PoolBusyError extends PoolError {
  /** Always true: the call was refused for load, not for anything wrong with it. */
  readonly retryable = true;
  /** Tasks waiting for a worker when this call was refused (= `maxQueue`). */
  readonly queued: number;
  /** The pool's `maxQueue`. */
  readonly maxQueue: number;
  constructor(queued: number, maxQueue: number) {
    super(
      "E_POOL_BUSY",
      `the pool is busy: ${queued} tasks are already waiting for a worker (maxQueue = ${maxQueue}), so this call was not queued; ` +
        "retry it later (a server: answer 503 with Retry-After), or raise maxQueue or threads",
    );
    this.queued = queued;
    this.maxQueue = maxQueue;
  }
}
