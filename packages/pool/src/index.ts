// Public surface of @logitstream/pool: named re-exports only (docs/CONVENTIONS.md).

// The abort error is core's (one class for every package, so `instanceof` holds across them).
export { AbortedError } from "@logitstream/core";
export { createPool } from "./createPool.js";
export type { WorkerFault } from "./errors.js";
export { PoolBusyError, PoolClosedError, PoolError, WorkerCrashError, WorkerStartError } from "./errors.js";
export { DEFAULT_INLINE_THRESHOLD, WARM_INLINE_THRESHOLD } from "./inlinePolicy.js";
export type { SampleBatchResult, ScoreBatchResult } from "./kernels.js";
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
} from "./poolTypes.js";
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
