import { randomUUID } from "node:crypto";
import { LogitstreamError } from "@logitstream/core";
import type { StreamJob, StreamTotals } from "@logitstream/pool";
import type { ByteInput, ReadOptions } from "@logitstream/wire";
import { type ConnectionOptions, Queue } from "bullmq";
import { Redis } from "ioredis";
import { connectionOptions } from "./connectionOptions.js";
import { JobResumeError, QueueError, QueueUnavailableError, TaskFailedError } from "./errors.js";
import { JOB_ID_PATTERN, jobKeys, QUEUE_NAME, QUEUE_PREFIX } from "./keys.js";
import { type PlannedTask, planTasks } from "./planTasks.js";
import { parseQueueUrl } from "./queueUrl.js";
import { decodeResult, type TaskResult } from "./resultCodec.js";
import { addTask, EMPTY_TOTALS, streamTotals, type TotalsState } from "./runningTotals.js";
import type { SerializedFailure, TaskData } from "./taskData.js";

/** Options of {@link openQueueJob}. */
export interface QueueJobOptions {
  /** `redis://…`, `rediss://…` or `unix:///path`. */
  url: string;
  /** Names the job; the same id resumes it after the coordinator stopped. Default: a fresh id. */
  jobId?: string;
  /** The input bytes (read only for stdin, or for files that must be framed on the coordinator). */
  input: ByteInput;
  /** A path every worker can read at the same place (shared storage); absent for stdin. */
  path?: string;
  /** Size and modification time of the file at `path` (raw rows are planned from the size; both identify the input on resume). */
  size?: number;
  mtimeMs?: number;
  read: ReadOptions;
  /** What to compute, as the pool's streaming job (`output` must be set: workers encode the records). */
  spec: StreamJob;
  /** Most rows per task (default 4,096). */
  taskRows?: number;
  /**
   * Most input bytes per task. Default 64 MiB for a path (the bytes never enter Redis; at V = 128,256 that
   * is 128 rows, enough work to hide the few ms a task costs in Redis round trips) and 16 MiB for stdin
   * (each queued task's bytes sit in Redis: `maxInFlight` × 16 MiB at most).
   */
  taskBytes?: number;
  /** Most tasks enqueued and not yet written (default 8): bounds the blobs and results held in Redis. */
  maxInFlight?: number;
  /** Attempts per task before the job fails (default 3). */
  attempts?: number;
  /** How long Redis may stay unreachable before the job stops (ms, default 5,000). */
  giveUpMs?: number;
  /** Lifetime of a stopped job's keys in Redis, seconds (default 7 days): a job never resumed is dropped. */
  ttlSeconds?: number;
  signal?: AbortSignal;
}

/** One task's output, in input order. */
export interface QueueResult {
  firstRow: number;
  rows: number;
  /** Output records of the task's rows (the workers' encoding), to write as they are. */
  bytes: Uint8Array;
  /** Running totals over every row written so far, in global row order (the pool's `StreamTotals`). */
  totals: StreamTotals;
  /** Rows of this task skipped with `onError: "skip"`, and the first one's message. */
  skipped: number;
  firstSkip?: string;
}

/** Where a resumed job stood when its previous coordinator stopped. */
export interface ResumePoint {
  tasks: number;
  rows: number;
  /** Bytes of output the previous coordinator wrote (the output to continue from). */
  bytes: number;
  skipped: number;
  firstSkip?: string;
  /** The running totals after those rows (score's summary when nothing is left to run). */
  totals: StreamTotals;
}

/** A coordinator: the job's results in input order. */
export interface QueueJob {
  readonly jobId: string;
  /** The queue URL with its password hidden. */
  readonly display: string;
  /**
   * Set when this job id names a job an earlier coordinator opened: results() continues after what it
   * recorded as written (possibly nothing: it may have been stopped after writing its first result but
   * before recording it, so the caller must still cut its output back to `bytes`).
   */
  readonly resumed: ResumePoint | undefined;
  /**
   * The results in input order, one per task. Once the loop body that received a result returns, the
   * result counts as written: the job's state in Redis moves past it and its keys are deleted. The job's
   * keys are all deleted when the job ends (done, or a bad row); not when it is stopped (abort, Redis lost),
   * so the same `jobId` can resume it.
   */
  results(): AsyncGenerator<QueueResult, void, undefined>;
  /** Worker processes connected to the queue now. */
  liveWorkers(): Promise<number>;
  /** Closes the connections (does not delete the job: see results()). */
  close(): Promise<void>;
}

interface JobMeta {
  fingerprint: string;
  written: number;
  writtenRows: number;
  writtenBytes: number;
  totals: TotalsState;
  skipped: number;
  firstSkip?: string;
}

const DEFAULTS = {
  taskRows: 4096,
  taskBytes: 16 * 1024 * 1024,
  fileTaskBytes: 64 * 1024 * 1024,
  maxInFlight: 8,
  attempts: 3,
  giveUpMs: 5_000,
  ttlSeconds: 7 * 24 * 3600,
};

/**
 * Opens a distributed job: connects, creates the job's state in Redis (or finds the state of a job
 * stopped earlier under the same id), and returns the coordinator. Nothing is read or enqueued until
 * `results()` is iterated.
 *
 * Method: the input is cut into tasks of whole chunks (planTasks); at most `maxInFlight` tasks are
 * enqueued ahead of the next one to write. Workers store each result under its own key and push the
 * task index to the job's done list; the coordinator waits on that list (BLPOP) for the next task in
 * order, so results are written in input order whatever order they finish in. The same task finishing
 * twice (a worker that stalled, then came back) stores the same bytes: each task is written once.
 *
 * @param opts the queue, the input and the job
 * @example
 * ```ts
 * const job = await openQueueJob({ url, input: reader, path, size, read: { format: "f32", vocab }, spec: { kind: "score", output: "ndjson" } });
 * for await (const r of job.results()) await write(r.bytes);
 * await job.close();
 * ```
 */
export async function openQueueJob(opts: QueueJobOptions): Promise<QueueJob> {
  const url = parseQueueUrl(opts.url);
  const jobId = opts.jobId ?? randomUUID().slice(0, 13);
  if (!JOB_ID_PATTERN.test(jobId)) {
    throw new JobResumeError(jobId, "a job id has 1–64 characters among letters, digits, '.', '_' and '-'");
  }
  const o = {
    taskRows: opts.taskRows ?? DEFAULTS.taskRows,
    taskBytes: opts.taskBytes ?? (opts.path !== undefined ? DEFAULTS.fileTaskBytes : DEFAULTS.taskBytes),
    maxInFlight: opts.maxInFlight ?? DEFAULTS.maxInFlight,
    attempts: opts.attempts ?? DEFAULTS.attempts,
    giveUpMs: opts.giveUpMs ?? DEFAULTS.giveUpMs,
    ttlSeconds: opts.ttlSeconds ?? DEFAULTS.ttlSeconds,
  };
  const keys = jobKeys(jobId);
  const conn = connectionOptions(url.redis, o.giveUpMs);
  const redis = new Redis(conn);
  const blocking = new Redis(conn);
  const queue = new Queue(QUEUE_NAME, {
    connection: conn as ConnectionOptions,
    prefix: QUEUE_PREFIX,
    // BullMQ's events stream gets every job's events (return values included): cap it.
    streams: { events: { maxLen: 1000 } },
  });
  let lost: QueueUnavailableError | undefined;
  const onEnd = (): void => {
    lost ??= new QueueUnavailableError(url.display, `the connection was lost for ${o.giveUpMs / 1000} s`);
  };
  for (const c of [redis, blocking]) {
    c.on("error", () => {});
    c.on("end", onEnd);
  }
  queue.on("error", () => {});
  const closeAll = async (): Promise<void> => {
    await queue.close().catch(() => {});
    redis.disconnect();
    blocking.disconnect();
  };
  const unavailable = (what: string, e: unknown): QueueUnavailableError =>
    lost ?? new QueueUnavailableError(url.display, what, { cause: e });

  const fingerprint = JSON.stringify({
    spec: opts.spec,
    read: opts.read,
    taskRows: o.taskRows,
    taskBytes: o.taskBytes,
    input: opts.path === undefined ? "stdin" : { path: opts.path, size: opts.size, mtimeMs: opts.mtimeMs },
  });
  let meta: JobMeta;
  let existed = false;
  try {
    await redis.ping();
    const fresh: JobMeta = {
      fingerprint,
      written: 0,
      writtenRows: 0,
      writtenBytes: 0,
      totals: EMPTY_TOTALS,
      skipped: 0,
    };
    const created = await redis.set(keys.meta, JSON.stringify(fresh), "EX", o.ttlSeconds, "NX");
    const stored = created === "OK" ? null : await redis.get(keys.meta);
    existed = stored !== null;
    meta = stored !== null ? (JSON.parse(stored) as JobMeta) : fresh;
  } catch (e) {
    await closeAll();
    throw unavailable("cannot connect", e);
  }
  if (meta.fingerprint !== fingerprint) {
    await closeAll();
    throw new JobResumeError(
      jobId,
      "this job id already names a job with another command, flags or input; choose another --job-id",
    );
  }
  const resumed: ResumePoint | undefined = existed
    ? {
        tasks: meta.written,
        rows: meta.writtenRows,
        bytes: meta.writtenBytes,
        skipped: meta.skipped,
        totals: streamTotals(meta.totals),
        ...(meta.firstSkip !== undefined ? { firstSkip: meta.firstSkip } : {}),
      }
    : undefined;

  const taskData = (t: PlannedTask): TaskData => ({
    jobId,
    index: t.index,
    firstRow: t.firstRow,
    rows: t.rows,
    spec: opts.spec,
    source: opts.path !== undefined ? { path: opts.path } : { blobKey: keys.blob(t.index) },
    chunks: t.chunks,
    resultKey: keys.result(t.index),
    doneKey: keys.done,
    metaKey: keys.meta,
    ttlSeconds: o.ttlSeconds,
  });
  const addTaskJob = (data: TaskData) =>
    queue.add("task", data, {
      jobId: keys.task(data.index),
      attempts: o.attempts,
      backoff: { type: "fixed", delay: 500 },
      removeOnComplete: true,
      // Kept a while so the coordinator can read why a task failed for good.
      removeOnFail: { age: 24 * 3600, count: 10_000 },
    });

  async function* results(): AsyncGenerator<QueueResult, void, undefined> {
    const window = new Map<number, TaskData>();
    let head = meta.written;
    let plannerDone = false;
    let inputError: unknown; // a framing error: delivered after every task before it
    let fatal: unknown; // Redis failed while enqueueing: ends the job now
    let wake: (() => void) | undefined;
    let space: (() => void) | undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    let stopProducer = false;
    let lastStarted = -1; // the last task the producer began to enqueue
    const producer = (async () => {
      try {
        for await (const t of planTasks(opts.input, {
          read: opts.read,
          taskRows: o.taskRows,
          taskBytes: o.taskBytes,
          ...(opts.path !== undefined ? { path: opts.path } : {}),
          ...(opts.size !== undefined ? { size: opts.size } : {}),
        })) {
          if (stopProducer) return;
          if (t.index < meta.written) continue; // written by the run this one resumes
          while (window.size >= o.maxInFlight && !stopProducer) {
            await new Promise<void>((r) => {
              space = r;
            });
          }
          if (stopProducer) return;
          const data = taskData(t);
          lastStarted = t.index;
          try {
            await enqueue(data, t.blob);
          } catch (e) {
            fatal = e;
            return;
          }
          window.set(t.index, data);
          notify();
        }
      } catch (e) {
        inputError = e;
      } finally {
        plannerDone = true;
        notify();
      }
    })();

    async function enqueue(data: TaskData, blob: Uint8Array | undefined): Promise<void> {
      // A restarted coordinator finds results of tasks that finished meanwhile: not run again.
      if ((await redis.exists(data.resultKey)) === 1) return;
      if (blob !== undefined) {
        await redis.set(
          keys.blob(data.index),
          Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength),
          "EX",
          o.ttlSeconds,
        );
      }
      await addTaskJob(data);
    }

    let ended = false; // the job is over (done or a bad row): delete its keys
    try {
      for (;;) {
        if (fatal !== undefined) throw unavailable("enqueueing a task failed", fatal);
        const data = window.get(head);
        if (data === undefined) {
          if (plannerDone) {
            if (fatal !== undefined) continue;
            ended = true;
            if (inputError !== undefined) throw inputError;
            return;
          }
          await new Promise<void>((r) => {
            wake = r;
          });
          continue;
        }
        const r = await waitFor(data);
        meta.totals = addTask(meta.totals, r.header.rows - r.header.skipped, r.nll);
        const result: QueueResult = {
          firstRow: r.header.firstRow,
          rows: r.header.rows,
          bytes: r.bytes,
          totals: streamTotals(meta.totals),
          skipped: r.header.skipped,
        };
        if (r.header.firstSkip !== undefined) result.firstSkip = r.header.firstSkip;
        if (r.header.rows > 0 || r.header.failure === undefined) yield result;
        if (r.header.failure !== undefined) {
          ended = true;
          throw reviveFailure(r.header.failure);
        }
        // The consumer has written the result: the job moves past it.
        meta.written = head + 1;
        meta.writtenRows += r.header.rows;
        meta.writtenBytes += r.bytes.length;
        meta.skipped += r.header.skipped;
        if (meta.firstSkip === undefined && r.header.firstSkip !== undefined)
          meta.firstSkip = r.header.firstSkip;
        await redis
          .multi()
          .set(keys.meta, JSON.stringify(meta), "EX", o.ttlSeconds)
          .del(data.resultKey, keys.blob(head))
          .exec();
        window.delete(head);
        head++;
        space?.();
        space = undefined;
      }
    } catch (e) {
      if (e instanceof TaskFailedError) ended = true;
      if (e instanceof LogitstreamError || opts.signal?.aborted) throw e;
      throw unavailable("the job stopped", e);
    } finally {
      stopProducer = true;
      space?.();
      // The producer may be blocked reading the input (stdin): wait briefly for an enqueue in progress,
      // not for the input; the caller closes the input.
      await Promise.race([producer.catch(() => {}), new Promise((r) => setTimeout(r, 200).unref())]);
      if (ended) {
        // Every task from the next one to write up to the last one enqueued (or being enqueued).
        const indices: number[] = [];
        for (let i = head; i <= Math.max(head, lastStarted); i++) indices.push(i);
        await cleanup(indices).catch(() => {});
      }
    }
  }

  /** Waits for task `data.index`'s result; throws when it failed for good, Redis is lost, or the run is aborted. */
  async function waitFor(data: TaskData): Promise<TaskResult> {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (lost !== undefined) throw lost;
      // The done list only wakes us: clear it, then look (a result stored in between is seen by the GET).
      const replies = await redis.multi().del(keys.done).getBuffer(data.resultKey).exec();
      const value = replies?.[1]?.[1] as Buffer | null | undefined;
      if (value) return decodeResult(value);
      const popped = await blocking.blpop(keys.done, 1);
      if (popped !== null) continue;
      const id = keys.task(data.index);
      const state = await queue.getJobState(id);
      if (state === "failed") {
        const job = await queue.getJob(id);
        if ((await redis.exists(data.resultKey)) === 1) continue;
        throw new TaskFailedError({
          task: data.index,
          firstRow: data.firstRow,
          rows: data.rows,
          attempts: job?.attemptsMade ?? o.attempts,
          reason: job?.failedReason ?? "unknown reason",
        });
      }
      if (state === "unknown" && (await redis.exists(data.resultKey)) === 0) {
        // The task's job is gone without a result (removed by hand, or Redis lost it): enqueue it again.
        if ("blobKey" in data.source && (await redis.exists(data.source.blobKey)) === 0) {
          throw new QueueError(
            "E_QUEUE_LOST",
            `job ${jobId}: the bytes of rows ${data.firstRow}–${data.firstRow + data.rows - 1} are gone from Redis; run the job again`,
          );
        }
        await addTaskJob(data);
      }
    }
  }

  /** Deletes the job's keys and its remaining BullMQ jobs (a running one finishes and finds the job gone). */
  async function cleanup(indices: number[]): Promise<void> {
    // Meta first, in the same transaction: from then on no worker stores a result for this job.
    const m = redis.multi().del(keys.meta, keys.done);
    for (const i of indices) m.del(keys.result(i), keys.blob(i));
    await m.exec();
    for (const i of indices) await queue.remove(keys.task(i)).catch(() => 0);
  }

  return {
    jobId,
    display: url.display,
    resumed,
    results,
    liveWorkers: () => queue.getWorkersCount(),
    close: closeAll,
  };
}

/** A worker's data error as the coordinator throws it: same class name, code, message and fields. */
function reviveFailure(f: SerializedFailure): LogitstreamError {
  const e = new LogitstreamError(f.code ?? "E_TASK", f.message);
  Object.assign(e, f.props);
  Object.defineProperty(e, "name", { value: f.name, configurable: true, writable: true });
  return e;
}
