import { Piscina } from "piscina";
import { PoolBusyError, WorkerCrashError, type WorkerFault } from "./errors.js";
import type { PoolLifecycle } from "./poolLifecycle.js";
import type { TaskMessage, TaskOutput, TaskReply } from "./protocol.js";
import { reviveError } from "./reviveError.js";
import type { SlabLease } from "./slabLeases.js";

/** A task ready to send: its message, and the lease on the slab its input was staged into (if any). */
export interface PreparedTask {
  msg: TaskMessage;
  lease?: SlabLease | undefined;
}

/** How the dispatcher starts its workers and bounds its tasks. */
interface DispatcherOptions {
  threads: number;
  /** Most tasks on the workers at once (admitted and not settled), over every caller. */
  maxRunning: number;
  /** Most tasks waiting for admission; one more rejects with PoolBusyError. */
  maxQueue: number;
  workerUrl: URL;
  workerData?: unknown;
  maxWorkerMemoryMb?: number | undefined;
}

/** Counters the pool reports in `stats()`. */
interface DispatchStats {
  tasks: number;
  inFlight: number;
  peakInFlight: number;
  queued: number;
  peakQueued: number;
  rejected: number;
  retries: number;
}

/** A data error reported by a worker: deterministic, so never retried. */
class DataError {
  constructor(readonly error: Error) {}
}

/** Attempts per task: the first run and one retry on a fresh worker. */
const MAX_ATTEMPTS = 2;

function faultOf(e: unknown): WorkerFault {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ERR_WORKER_OUT_OF_MEMORY") return "out-of-memory";
  const message = e instanceof Error ? e.message : String(e);
  if (message.startsWith("worker exited with code")) return "exited";
  return "threw";
}

interface Waiter {
  admit: () => void;
  reject: (e: unknown) => void;
}

/**
 * Sends tasks to the piscina workers (started on the first task) with admission and retry:
 *
 * - Admission: at most `maxRunning` tasks are on the workers at once, over every call of the pool. A task
 *   beyond that waits in a FIFO queue of at most `maxQueue` tasks, and is prepared (its input staged into a
 *   slab) only once admitted, so staged memory is bounded by `maxRunning` however many calls wait. A task
 *   that finds the queue full rejects at once with `PoolBusyError`.
 * - Retry: a task whose worker threw, exited or ran out of memory is retried once on a fresh worker, then
 *   rejects with `WorkerCrashError`; a data error (the worker's typed error) or an abort is final.
 *
 * Every task's promise is tracked until it settles, so `close()` can wait for them.
 */
export class RetryingDispatcher {
  readonly stats: DispatchStats = {
    tasks: 0,
    inFlight: 0,
    peakInFlight: 0,
    queued: 0,
    peakQueued: 0,
    rejected: 0,
    retries: 0,
  };
  /** Tasks dispatched and not yet settled (queued ones included). */
  readonly active = new Set<Promise<unknown>>();
  #piscina: Piscina | undefined;
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    private readonly options: DispatcherOptions,
    private readonly lifecycle: PoolLifecycle,
  ) {}

  /** Whether the worker threads have been started. */
  get started(): boolean {
    return this.#piscina !== undefined;
  }

  /**
   * Runs a task on a worker once admitted; `prepare` stages its input then. The task's slab lease is
   * released when it settles.
   */
  dispatch(prepare: () => PreparedTask, signal: AbortSignal | undefined): Promise<TaskOutput> {
    this.stats.tasks++;
    let task: Promise<TaskOutput>;
    if (this.#running < this.options.maxRunning && this.#waiting.length === 0) {
      this.#running++;
      task = this.#runAdmitted(prepare, signal);
    } else if (this.#waiting.length >= this.options.maxQueue) {
      this.stats.rejected++;
      task = Promise.reject(new PoolBusyError(this.#waiting.length, this.options.maxQueue));
    } else {
      task = this.#waitForSlot(signal).then(() => this.#runAdmitted(prepare, signal));
    }
    this.active.add(task);
    const forget = () => this.active.delete(task);
    task.then(forget, forget);
    return task;
  }

  /** Rejects every waiting task (the pool was aborted or destroyed). */
  rejectWaiting(error: () => unknown): void {
    for (const w of this.#waiting.splice(0)) w.reject(error());
    this.stats.queued = 0;
  }

  /** Waits for the workers to finish their tasks, then stops them. */
  async close(): Promise<void> {
    await this.#piscina?.close();
  }

  /** Stops the workers now. */
  async destroy(): Promise<void> {
    await this.#piscina?.destroy();
  }

  #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.lifecycle.checkRunnable(signal);
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        this.stats.queued = this.#waiting.length;
        try {
          this.lifecycle.checkRunnable(signal);
        } catch (e) {
          reject(e);
        }
      };
      const waiter: Waiter = {
        admit: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      this.stats.queued = this.#waiting.length;
      if (this.#waiting.length > this.stats.peakQueued) this.stats.peakQueued = this.#waiting.length;
    });
  }

  /** A slot freed: the next waiting task takes it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#running--;
      return;
    }
    this.stats.queued = this.#waiting.length;
    next.admit(); // the slot passes to it: #running is unchanged
  }

  async #runAdmitted(prepare: () => PreparedTask, signal: AbortSignal | undefined): Promise<TaskOutput> {
    let prepared: PreparedTask | undefined;
    try {
      prepared = prepare();
      return await this.#attempts(prepared.msg, signal);
    } finally {
      prepared?.lease?.release();
      this.#release();
    }
  }

  /** Runs one task: retried once after a fault; a data error or an abort is final. */
  async #attempts(msg: TaskMessage, signal: AbortSignal | undefined): Promise<TaskOutput> {
    const stats = this.stats;
    for (let attempt = 1; ; attempt++) {
      this.lifecycle.checkRunnable(signal);
      stats.inFlight++;
      if (stats.inFlight > stats.peakInFlight) stats.peakInFlight = stats.inFlight;
      try {
        const reply = (await this.#workers().run(msg, signal !== undefined ? { signal } : {})) as TaskReply;
        if (!reply.ok) throw new DataError(reviveError(reply.error));
        return reply.output;
      } catch (e) {
        if (e instanceof DataError) throw e.error;
        this.lifecycle.checkRunnable(signal);
        if (attempt >= MAX_ATTEMPTS)
          throw new WorkerCrashError(msg.firstRow, msg.rows, attempt, faultOf(e), e);
        stats.retries++;
      } finally {
        stats.inFlight--;
      }
    }
  }

  #workers(): Piscina {
    if (this.#piscina === undefined) {
      const { threads, maxWorkerMemoryMb, workerData } = this.options;
      this.#piscina = new Piscina({
        filename: this.options.workerUrl.href,
        minThreads: threads,
        maxThreads: threads,
        idleTimeout: 60_000,
        // Workers do not inherit the parent's execArgv: flags meant for the main thread (--inspect, a
        // test runner's --conditions) have no business in a worker, whose entry is the built dist/worker.js.
        execArgv: WORKER_EXEC_ARGV,
        ...(maxWorkerMemoryMb !== undefined
          ? { resourceLimits: { maxOldGenerationSizeMb: maxWorkerMemoryMb } }
          : {}),
        ...(workerData !== undefined ? { workerData } : {}),
      });
      // A worker that dies with no task is replaced by piscina; its 'error' event must not crash the host.
      this.#piscina.on("error", () => {});
    }
    return this.#piscina;
  }
}

/**
 * piscina loads a worker's entry with `require()` first and `import()` only when that fails. On Node 20
 * releases where `require()` can load an ES module, that path once aborted a whole process with a V8
 * fatal error ("IsGraphAsync must be used on an instantiated module", seen in a worker thread under
 * load), which no error handler can catch. With require of ES modules off in the workers, the
 * `require()` fails cleanly and piscina imports the entry. Only passed where Node knows the flag.
 */
const WORKER_EXEC_ARGV: string[] = process.allowedNodeEnvironmentFlags?.has(
  "--no-experimental-require-module",
)
  ? ["--no-experimental-require-module"]
  : [];
