// Public surface of @logitstream/pool: named re-exports only (docs/CONVENTIONS.md).
export { createPool } from "./createPool.js";
export type { WorkerFault } from "./errors.js";
export { AbortError, PoolClosedError, PoolError, WorkerCrashError } from "./errors.js";
export type { SampleBatchResult, ScoreBatchResult } from "./kernels.js";
export type {
  ByteChunkLike,
  CompareJob,
  Job,
  OnError,
  OutputFormat,
  RowBatchLike,
  SampleJob,
  ScoreJob,
  SoftmaxJob,
} from "./protocol.js";
export type {
  Batch,
  CallOptions,
  Pool,
  PoolOptions,
  PoolStats,
  RunOptions,
  SampleOptions,
  ScoreOptions,
  SoftmaxOptions,
  StreamJob,
  StreamResult,
  StreamTotals,
} from "./startPool.js";
export { DEFAULT_INLINE_THRESHOLD, WARM_INLINE_THRESHOLD } from "./startPool.js";
