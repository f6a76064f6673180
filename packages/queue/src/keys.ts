/**
 * Names in Redis. BullMQ keeps its own keys under `{QUEUE_PREFIX}:{QUEUE_NAME}:…`; a job's data keys
 * (meta, results, task blobs, the done list) are under `logitstream:job:{jobId}:…`, all deleted when
 * the job ends.
 */
export const QUEUE_PREFIX = "logitstream";
export const QUEUE_NAME = "tasks";

/** The keys of one job. */
interface JobKeys {
  meta: string;
  done: string;
  result(index: number): string;
  blob(index: number): string;
  /** The BullMQ job id of a task (BullMQ ids may not be plain integers nor contain ':'). */
  task(index: number): string;
}

/** A job id as `--job-id` accepts it: letters, digits, '.', '_' and '-', 1–64 characters. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The Redis keys and BullMQ job ids of job `jobId`.
 *
 * @param jobId a job id matching {@link JOB_ID_PATTERN}
 * @example jobKeys("eval-7").result(3) // "logitstream:job:eval-7:res:3"
 */
export function jobKeys(jobId: string): JobKeys {
  const base = `logitstream:job:${jobId}`;
  return {
    meta: `${base}:meta`,
    done: `${base}:done`,
    result: (i) => `${base}:res:${i}`,
    blob: (i) => `${base}:blob:${i}`,
    task: (i) => `${jobId}-t${i}`,
  };
}
