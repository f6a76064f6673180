import type { Kernels, SampleBatchResult, ScoreBatchResult } from "./kernels.js";
import type {
  ByteChunkLike,
  CompareJob,
  RowBatchLike,
  SampleJob,
  SamplerParamsLike,
  ScoreJob,
  SoftmaxJob,
  TaskOutput,
} from "./protocol.js";

/**
 * The pool's public shapes: its options, the promise API's batch and options, the streaming run's job and
 * results, and the `Pool` interface itself. `startPool` builds a `Pool` from them.
 */

/** Options of `createPool`. */
export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Aborting it cancels every pending task (they reject with `AbortedError`) and tears the workers down. */
  signal?: AbortSignal;
  /**
   * Most tasks on the workers at once, over every call of the pool; also the most items a streaming `run`
   * keeps outstanding (taken from the source, not yet taken by its consumer) and the most parts of one
   * promise call in flight. Default 2 × threads. Staged input memory (slabs) is bounded by it.
   */
  maxInFlight?: number;
  /**
   * Work that runs inline on the calling thread before the workers are started, in logit elements
   * (rows × vocab), summed over the pool's jobs; the first job beyond it starts the workers. Default
   * `DEFAULT_INLINE_THRESHOLD` (measured); 0 = never inline, Infinity = always inline.
   */
  inlineThreshold?: number;
  /** Where `run` decodes byte chunks: in the workers (default, measured faster) or on the calling thread. */
  parse?: "worker" | "main";
  /** Heap limit of each worker in MB; a worker that exceeds it is replaced and its task retried once. */
  maxWorkerMemoryMb?: number;
  /**
   * Most tasks that may wait for a worker, over every call of the pool (at most `maxInFlight` tasks run on
   * the workers at once; the others wait, holding no staged memory). A task beyond it is not queued: its
   * call rejects at once with `PoolBusyError` (`code` "E_POOL_BUSY", `retryable: true`), e.g. for a server
   * to answer 503. Default Infinity (calls wait); 0 = never wait.
   */
  maxQueue?: number;
}

/** What tests (and only tests) may change: the worker module and its kernels. Not exported by the package. */
export interface PoolInternals {
  /** The worker module (built JavaScript): its default export handles a `TaskMessage`. */
  workerUrl: URL;
  /** The same kernels, for the inline path and main-thread parsing. */
  kernels: Kernels;
  /** Passed to every worker as piscina's `workerData`. */
  workerData?: unknown;
}

/** A batch for the promise API: `rows × vocab` row-major logits. Its rows are global rows `firstRow …`. */
export interface Batch {
  data: Float32Array;
  rows: number;
  vocab: number;
  /** Global index of row 0 (its random stream); default 0. */
  firstRow?: number;
  targets?: Int32Array | undefined;
  ids?: unknown[] | undefined;
  params?: (SamplerParamsLike | undefined)[] | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
}
export interface SampleOptions extends CallOptions {
  logprobs?: number;
  processed?: boolean;
  onError?: "throw" | "skip";
}
export interface ScoreOptions extends CallOptions {
  /** Target per row (-1 = none); overrides `batch.targets`. */
  targets?: Int32Array;
  top?: number;
  onError?: "throw" | "skip";
}
export interface SoftmaxOptions extends CallOptions {
  log?: boolean;
  temperature?: number;
}

/** The job of a streaming `run`, without its kind-specific result arrays. */
export type StreamJob = SampleJob | ScoreJob | SoftmaxJob | CompareJob;

export interface RunOptions extends CallOptions {
  /** Targets for rows `firstRow … firstRow + rows - 1` (e.g. from `--targets FILE`), called in input order. */
  targets?: (firstRow: number, rows: number) => Int32Array | undefined;
}

/** Running totals over every row delivered so far, accumulated in global row order. */
export interface StreamTotals {
  /** Rows delivered (skipped bad rows excluded). */
  rows: number;
  /** Score jobs: rows that had a target. */
  scored: number;
  /** Score jobs: Σ −logprob over scored rows (Neumaier-compensated, row order: the same for any split). */
  nllSum: number;
}

/** One batch's results from `run`, in input order. */
export interface StreamResult extends Omit<TaskOutput, "errors" | "wireErrors" | "failure"> {
  /**
   * Rows skipped with `onError: "skip"`, one error per row naming its global `row`: wire's WireError for
   * a row wire could not decode (its reason, frame and byte offset), the core's typed error otherwise.
   */
  errors: Error[];
  /** With `onError: "skip"`: wire's errors for the malformed frames among them (frame, byte offset). */
  wireErrors?: Error[];
  totals: StreamTotals;
}

/** Counters for tests and monitoring. */
export interface PoolStats {
  threads: number;
  /** Whether the worker threads have been started (they start on the first task too big to run inline). */
  started: boolean;
  /** Tasks sent to workers and not yet settled; and the most ever at once (at most `maxInFlight`). */
  inFlight: number;
  peakInFlight: number;
  /** Tasks waiting for a worker (at most `maxQueue`); and the most ever at once. */
  queued: number;
  peakQueued: number;
  /** Calls rejected with `PoolBusyError` because the queue was full. */
  rejected: number;
  /** Items a streaming `run` has taken from its source and not yet handed to its consumer; and the peak. */
  outstanding: number;
  peakOutstanding: number;
  tasks: number;
  inlineTasks: number;
  retries: number;
  slabsAllocated: number;
}

export interface Pool {
  sample(batch: Batch, params?: SamplerParamsLike, opts?: SampleOptions): Promise<SampleBatchResult>;
  score(batch: Batch, opts?: ScoreOptions): Promise<ScoreBatchResult>;
  softmax(batch: Batch, opts?: SoftmaxOptions): Promise<Float32Array>;
  run(
    source: AsyncIterable<RowBatchLike | ByteChunkLike> | Iterable<RowBatchLike | ByteChunkLike>,
    job: StreamJob,
    opts?: RunOptions,
  ): AsyncGenerator<StreamResult, void, undefined>;
  /** Accepts no new tasks, waits for the tasks in flight, then stops the workers. */
  close(): Promise<void>;
  /** Stops the workers now; pending tasks reject with `PoolClosedError`. */
  destroy(): Promise<void>;
  stats(): PoolStats;
  /**
   * `n` bytes of the pool's shared memory, for wire's `frameChunks(input, { alloc: pool.allocBytes })`:
   * chunks cut into it reach the workers with no staging copy. A caller may also write a batch's rows into
   * it (a `Float32Array` over the same bytes as the batch's `data`). A chunk or batch on such memory belongs
   * to the pool once given to `run`: its slab is recycled when the item's task has settled, so the caller
   * must not touch it afterwards, and asks for new memory for each item.
   */
  allocBytes(n: number): Uint8Array;
}
