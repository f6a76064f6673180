/**
 * Typed errors of @logitstream/queue. Each says what failed, where (job, task, rows) and what to do,
 * and extends core's `LogitstreamError`. A connection URL in a message is always shown redacted.
 */
import { LogitstreamError } from "@logitstream/core";

/** Base class of the queue's own errors. */
export class QueueError extends LogitstreamError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A `--queue` URL that cannot be used (bad scheme, port, database). Carries the redacted URL only. */
export class QueueUrlError extends QueueError {
  readonly url: string;
  constructor(url: string, problem: string) {
    super(
      "E_QUEUE_URL",
      `bad queue URL ${url}: ${problem}; use redis://[:PASSWORD@]HOST[:PORT][/DB], rediss://… (TLS) or unix:///PATH/TO/SOCKET`,
    );
    this.url = url;
  }
}

/**
 * Redis could not be reached, or the connection was lost and did not come back in time. The job
 * stopped; nothing written is lost, and the same command with the same `--job-id` resumes it.
 */
export class QueueUnavailableError extends QueueError {
  readonly url: string;
  constructor(url: string, what: string, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? ` (${options.cause.message})` : "";
    super("E_QUEUE_UNAVAILABLE", `Redis at ${url} is unavailable: ${what}${detail}`, options);
    this.url = url;
  }
}

/**
 * A task failed on every attempt for a reason that is not a data error a worker could name (its worker
 * crashed or ran out of memory each time, on whichever machine took it). Rows before `firstRow` were
 * written; none of the task's rows were.
 */
export class TaskFailedError extends QueueError {
  readonly task: number;
  readonly firstRow: number;
  readonly lastRow: number;
  readonly attempts: number;
  constructor(opts: { task: number; firstRow: number; rows: number; attempts: number; reason: string }) {
    const lastRow = opts.firstRow + opts.rows - 1;
    super(
      "E_QUEUE_TASK_FAILED",
      `rows ${opts.firstRow}–${lastRow} (task ${opts.task}) failed on each of ${opts.attempts} attempts: ${opts.reason}. ` +
        `Rows before ${opts.firstRow} were written; check these rows (a row that crashes or exhausts a worker is bad data).`,
    );
    this.task = opts.task;
    this.firstRow = opts.firstRow;
    this.lastRow = lastRow;
    this.attempts = opts.attempts;
  }
}

/**
 * A `--job-id` that already names a job with a different command or input, or a resumed job whose
 * output cannot be continued (the output file is shorter than what the previous run wrote).
 */
export class JobResumeError extends QueueError {
  readonly jobId: string;
  constructor(jobId: string, problem: string) {
    super("E_QUEUE_RESUME", `job ${jobId}: ${problem}`);
    this.jobId = jobId;
  }
}
