/**
 * The messages between the pool's host and its workers. A task message is small: job options, row
 * indices, and views on shared memory (the rows themselves are never cloned). A result carries typed
 * arrays whose buffers are moved back, plus the serialized output records.
 *
 * The batch shapes mirror @logitstream/core's batch APIs and @logitstream/wire's chunk and batch types
 * (docs/ARCHITECTURE.md); they are declared here structurally so the protocol stays a leaf module.
 */

/** Output record encoding made in the worker by wire's `encodeRecords`. */
export type OutputFormat = "ndjson" | "msgpack";

/**
 * What a worker posts (to piscina, which re-emits it as the pool's "message" event) once its entry has
 * loaded: a task that fails before any worker said so failed because the workers cannot start.
 */
export const WORKER_LOADED = "@logitstream/pool: worker loaded";

/** What to do with a bad row: stop the job with a typed error, or skip it and report it in `errors`. */
export type OnError = "throw" | "skip";

/** Sampler parameters (core's `SamplerParams`): a plain JSON-serializable object. */
export type SamplerParamsLike = object;

/** Options shared by every job kind. */
interface JobBase {
  /** Encode output records in the worker (the CLI's path). Default: none. */
  output?: OutputFormat;
  /** Return the typed per-row arrays (core's result shapes). Default: true without `output`, false with it. */
  arrays?: boolean;
  /** Bad rows: "throw" (default) fails the batch with the core's typed error; "skip" reports them in `errors`. */
  onError?: OnError;
}

/** Sample one token per row (core's `sampleBatch`). Row r's random stream is its global index. */
export interface SampleJob extends JobBase {
  kind: "sample";
  /** Job-wide sampler parameters; a batch's per-row `params` override them key by key. */
  params?: SamplerParamsLike;
  /** Top-N log-probabilities per row (default 0). */
  logprobs?: number;
  /** Also report each token's logprob under the processed distribution. */
  processed?: boolean;
}

/** Score each row's target token (core's `scoreBatch`); rows without a target get their entropy. */
export interface ScoreJob extends JobBase {
  kind: "score";
  /** Top-N log-probabilities per row (default 0). */
  top?: number;
}

/** Softmax or log-softmax of every row (core's `softmaxBatch`), or only its N most likely tokens. */
export interface SoftmaxJob extends JobBase {
  kind: "softmax";
  log?: boolean;
  temperature?: number;
  /** Keep only the N most likely tokens per row (default 0 = the whole row). */
  top?: number;
}

/**
 * Compare two models row by row (core's `compareRowsStrided`). Each row of the batch holds a pair: the
 * base model's V logits followed by the new model's V logits, so `vocab` is 2·V. Targets (the batch's or
 * the task's) add the target's probability under each model.
 */
export interface CompareJob extends JobBase {
  kind: "compare";
}

export type Job = SampleJob | ScoreJob | SoftmaxJob | CompareJob;

/** Whether a job returns the typed per-row arrays: `arrays`, else true exactly when no `output` is encoded. */
export function wantsArrays(job: Job): boolean {
  return job.arrays ?? job.output === undefined;
}

/** A batch of decoded rows (wire's `RowBatch`). */
export interface RowBatchLike {
  firstRow: number;
  rows: number;
  /** Every row's length; 0 when the rows differ (`offsets`). */
  vocab: number;
  /** `rows × vocab` row-major, or the rows one after another when they differ in length (`offsets`). */
  data: Float32Array;
  /**
   * Rows of different lengths (wire's ragged `RowBatch`: NDJSON / msgpack frames say their own):
   * `rows + 1` entries, row `i` is `data[offsets[i], offsets[i + 1])`. Absent for a uniform batch.
   */
  offsets?: Int32Array | undefined;
  ids?: unknown[] | undefined;
  /** Target token per row, -1 = none. */
  targets?: Int32Array | undefined;
  params?: (SamplerParamsLike | undefined)[] | undefined;
}

/** Raw bytes of whole frames (wire's `ByteChunk`, from `frameChunks`), decoded by wire's `decodeChunk`. */
export interface ByteChunkLike {
  format: string;
  firstRow: number;
  rows: number;
  bytes: Uint8Array;
  vocab?: number | undefined;
  dtype?: string | undefined;
  byteOffset: number;
}

/** The message a worker receives. `data` / `bytes` are views on SharedArrayBuffers (never cloned). */
export interface TaskMessage {
  job: Job;
  firstRow: number;
  rows: number;
  /** Decoded rows, or raw frames for the worker to decode. */
  batch?: RowBatchLike;
  chunk?: ByteChunkLike;
  /** Targets given beside the input (e.g. `--targets FILE`); override the frames' targets. */
  targets?: Int32Array | undefined;
  /** Softmax output written in place (a SharedArrayBuffer view) when the caller wants the array. */
  out?: Float32Array | undefined;
}

/** A LogitstreamError (or other error) flattened for postMessage; revived into its class on the host. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** Own enumerable properties (row, index, frame, byteOffset, …). */
  props: Record<string, unknown>;
}

/** What a task produces. Typed arrays are moved back (their buffers are transferred, not cloned). */
export interface TaskOutput {
  kind: Job["kind"];
  firstRow: number;
  rows: number;
  /** Every row's length; 0 when the rows differ, and then `offsets` says where each row's `probs` are. */
  vocab: number;
  /** Rows of different lengths: the batch's `offsets` (row `i` of `probs` is `[offsets[i], offsets[i + 1])`). */
  offsets?: Int32Array;
  tokens?: Int32Array;
  logprobs?: Float64Array;
  ranks?: Int32Array;
  entropies?: Float64Array;
  /**
   * Top-N per row (`rows × min(N, vocab)`). Rows that differ in length have `min(N, longest row)`
   * entries each, padded with -1 / NaN past a shorter row's end.
   */
  topTokens?: Int32Array;
  topLogprobs?: Float64Array;
  processedLogprobs?: Float64Array;
  /** Softmax output (`rows × vocab`; rows that differ in length one after another, see `offsets`). */
  probs?: Float32Array;
  /** Compare jobs: KL(base ‖ new) per row, nats. */
  kls?: Float64Array;
  /** Compare jobs: the top-1 token of each model per row. */
  top1Base?: Int32Array;
  top1New?: Int32Array;
  /** Compare jobs: the target's probability under each model (NaN without a target). */
  pBase?: Float64Array;
  pNew?: Float64Array;
  /** Target per row (score and compare jobs), -1 = none: the host's summary needs it. */
  targets?: Int32Array;
  /** Serialized output records of the batch, in row order. */
  bytes?: Uint8Array;
  /** Rows skipped with `onError: "skip"` (one core error per row, naming it). */
  errors: SerializedError[];
  /** With `onError: "skip"`: wire's errors for the malformed frames among them (frame, byte offset). */
  wireErrors?: SerializedError[];
  /**
   * A bad row or frame with `onError: "throw"`: the output holds the rows before it (possibly none),
   * and this error names it. Deterministic, so never retried.
   */
  failure?: SerializedError;
}

/** A worker's answer: the output, or a data error (deterministic: the host does not retry it). */
export type TaskReply = { ok: true; output: TaskOutput } | { ok: false; error: SerializedError };
