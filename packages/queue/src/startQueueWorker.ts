import { createPool, type Pool } from "@logitstream/pool";
import { type ConnectionOptions, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { connectionOptions } from "./connectionOptions.js";
import { QueueUnavailableError } from "./errors.js";
import { QUEUE_NAME, QUEUE_PREFIX } from "./keys.js";
import { parseQueueUrl } from "./queueUrl.js";
import { runQueueTask } from "./runQueueTask.js";
import type { TaskData } from "./taskData.js";

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** `redis://…`, `rediss://…` or `unix:///path` (see parseQueueUrl). */
  url: string;
  /** Threads of the local pool (default: every core). */
  threads?: number;
  /** Heap limit of each pool thread, MB. */
  workerMemoryMb?: number;
  /** Tasks this process runs at once (default 2: one computes while the next one's bytes load). */
  concurrency?: number;
  /**
   * How long a task may go without its worker's heartbeat before another worker takes it over (ms,
   * default 30,000): the time a SIGKILLed worker's task waits before it is retried elsewhere.
   */
  stallMs?: number;
  /** How long Redis may stay unreachable before the worker gives up (ms, default 30,000). */
  giveUpMs?: number;
  /** Called once per task with its rows (for a log line). */
  onTask?: (info: { jobId: string; index: number; firstRow: number; rows: number }) => void;
}

/** A running worker process's queue side. */
export interface QueueWorker {
  /**
   * Stops taking tasks, finishes the ones it runs, then closes the pool and the connections.
   * `force`: gives the running tasks back instead (they are retried elsewhere after `stallMs`).
   */
  close(force?: boolean): Promise<void>;
  /** Rejects with QueueUnavailableError when Redis is lost for good; resolves after close(). */
  readonly done: Promise<void>;
  readonly display: string;
}

/**
 * Starts a worker: takes tasks of every job from the queue, runs each on the local pool (all cores),
 * and stores its result. A worker killed mid-task loses nothing: BullMQ's stalled-job check hands the
 * task to another worker after `stallMs`, and the coordinator writes each task once.
 *
 * @param opts the queue URL and local resources
 * @example const w = startQueueWorker({ url: "redis://10.0.0.5:6379" }); process.on("SIGTERM", () => w.close());
 */
export function startQueueWorker(opts: QueueWorkerOptions): QueueWorker {
  const url = parseQueueUrl(opts.url);
  const giveUpMs = opts.giveUpMs ?? 30_000;
  const stallMs = opts.stallMs ?? 30_000;
  const pool: Pool = createPool({
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.workerMemoryMb !== undefined ? { maxWorkerMemoryMb: opts.workerMemoryMb } : {}),
  });
  const redis = new Redis(connectionOptions(url.redis, giveUpMs));
  let fail!: (e: Error) => void;
  let finish!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    finish = resolve;
  });
  done.catch(() => {});
  const lost = (cause?: unknown) =>
    fail(
      new QueueUnavailableError(url.display, `the connection was lost for ${giveUpMs / 1000} s`, { cause }),
    );
  redis.on("error", () => {});
  redis.on("end", () => lost());
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const data = job.data as TaskData;
      opts.onTask?.({ jobId: data.jobId, index: data.index, firstRow: data.firstRow, rows: data.rows });
      const outcome = await runQueueTask(data, { pool, redis });
      // The job ended while this task waited: nothing to retry.
      if (outcome === "job-gone") throw new UnrecoverableError(`job ${data.jobId} has ended`);
      return { rows: data.rows };
    },
    {
      connection: connectionOptions(url.redis, giveUpMs) as ConnectionOptions,
      prefix: QUEUE_PREFIX,
      concurrency: opts.concurrency ?? 2,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      maxStalledCount: 2,
      // Finished jobs are kept by the coordinator's choice (job options); the worker keeps no history.
    },
  );
  worker.on("error", () => {});
  let closing: Promise<void> | undefined;
  const close = (force = false): Promise<void> => {
    closing ??= (async () => {
      try {
        await worker.close(force);
      } finally {
        await pool.close().catch(() => {});
        redis.disconnect();
        finish();
      }
    })();
    return closing;
  };
  return { close, done, display: url.display };
}
