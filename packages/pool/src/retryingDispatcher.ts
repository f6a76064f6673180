import { Piscina } from "piscina";
import { PoolBusyError, WorkerCrashError, type WorkerFault, WorkerStartError } from "./errors.js";
import type { PoolLifecycle } from "./poolLifecycle.js";
import { type TaskMessage, type TaskOutput, type TaskReply, WORKER_LOADED } from "./protocol.js";
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

/**
 * How long a failure waits for a worker's "loaded" message before it counts as a start failure: the
 * message is already sent when a loaded worker's task fails, so this is only a bound, rarely waited.
 */
const LOADED_GRACE_MS = 250;

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
  /** A worker has loaded its entry (it posts WORKER_LOADED): a later worker error is not a start failure. */
  #loaded = false;
  /** Called when WORKER_LOADED arrives (see #loadedWithin). */
  readonly #onLoaded: (() => void)[] = [];
  /** Set once the workers failed to start; every task then rejects with it. */
  #startError: WorkerStartError | undefined;
  #rejectStart: (e: WorkerStartError) => void = () => {};
  /** Rejects when the workers fail to start: raced against each run, which piscina would leave pending. */
  readonly #startFailed = new Promise<never>((_, reject) => {
    this.#rejectStart = reject;
  });
  readonly #waiting: Waiter[] = [];

  constructor(
    private readonly options: DispatcherOptions,
    private readonly lifecycle: PoolLifecycle,
  ) {
    this.#startFailed.catch(() => {}); // observed through the races in #attempts
  }

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
      if (this.#startError !== undefined) throw this.#startError;
      stats.inFlight++;
      if (stats.inFlight > stats.peakInFlight) stats.peakInFlight = stats.inFlight;
      try {
        const run = this.#workers().run(msg, signal !== undefined ? { signal } : {});
        const reply = (await Promise.race([run, this.#startFailed])) as TaskReply;
        if (!reply.ok) throw new DataError(reviveError(reply.error));
        return reply.output;
      } catch (e) {
        await this.#throwIfFinal(e, msg, attempt, signal);
        stats.retries++;
      } finally {
        stats.inFlight--;
      }
    }
  }

  /**
   * Throws what ends a failed attempt: a data error, an abort or destroy, workers that cannot start, or
   * the last attempt's crash. Returns when the task is to be retried on a fresh worker.
   */
  async #throwIfFinal(
    e: unknown,
    msg: TaskMessage,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (e instanceof DataError) throw e.error;
    if (e instanceof WorkerStartError) throw e;
    this.lifecycle.checkRunnable(signal); // an abort or a destroy is not a worker fault
    // No worker has loaded its entry: the task failed because the workers cannot start (whether
    // piscina handed it to a worker that then failed to load, or reported that worker's error).
    const loaded = await this.#loadedWithin(LOADED_GRACE_MS);
    this.lifecycle.checkRunnable(signal); // aborted or destroyed meanwhile
    if (!loaded) this.#failStart(e);
    if (this.#startError !== undefined) throw this.#startError;
    if (attempt >= MAX_ATTEMPTS) throw new WorkerCrashError(msg.firstRow, msg.rows, attempt, faultOf(e), e);
  }

  /**
   * Whether a worker has loaded its entry, waiting up to `ms` for the message: it is posted before the
   * worker runs any task, but on another channel than the task's reply, so it may be processed after
   * the reply of a task that failed in a loaded worker.
   */
  #loadedWithin(ms: number): Promise<boolean> {
    if (this.#loaded) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.#loaded), ms);
      this.#onLoaded.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #failStart(cause: unknown): void {
    if (this.#startError !== undefined) return;
    const error = new WorkerStartError(cause);
    this.#startError = error;
    this.#rejectStart(error);
    this.rejectWaiting(() => error);
    void this.#piscina?.destroy().catch(() => {});
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
        // test runner's --conditions) have no business in a worker, whose entry is the built dist/workerBundle.js.
        execArgv: WORKER_EXEC_ARGV,
        ...(maxWorkerMemoryMb !== undefined
          ? { resourceLimits: { maxOldGenerationSizeMb: maxWorkerMemoryMb } }
          : {}),
        ...(workerData !== undefined ? { workerData } : {}),
      });
      // A worker that dies with no task is replaced by piscina; its 'error' event must not crash the host.
      // But before any worker has loaded its entry, an error is a worker that failed to load: piscina then
      // stops starting workers and leaves the queued tasks pending forever (with no handle keeping the
      // process alive, a CLI would exit 0 having written nothing), so fail every task instead.
      this.#piscina.on("message", (m: unknown) => {
        if (m !== WORKER_LOADED) return;
        this.#loaded = true;
        for (const f of this.#onLoaded.splice(0)) f();
      });
      this.#piscina.on("error", (e: unknown) => {
        void this.#loadedWithin(LOADED_GRACE_MS).then((loaded) => {
          if (!loaded && !this.lifecycle.halted) this.#failStart(e);
        });
      });
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
