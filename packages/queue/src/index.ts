// Public surface of @logitstream/queue: named re-exports only.
export {
  JobResumeError,
  QueueError,
  QueueUnavailableError,
  QueueUrlError,
  TaskFailedError,
} from "./errors.js";
export type { QueueJob, QueueJobOptions, QueueResult, ResumePoint } from "./openQueueJob.js";
export { openQueueJob } from "./openQueueJob.js";
export type { QueueUrl } from "./queueUrl.js";
export { parseQueueUrl, redactUrl } from "./queueUrl.js";
export type { QueueWorker, QueueWorkerOptions } from "./startQueueWorker.js";
export { startQueueWorker } from "./startQueueWorker.js";
