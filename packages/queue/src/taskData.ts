import type { StreamJob } from "@logitstream/pool";
import type { ByteChunk } from "@logitstream/wire";

/**
 * Where one chunk of a task lives: a `ByteChunk` of wire's framer without its bytes. `at` is where its
 * `length` bytes start — in the shared file (equal to `byteOffset`) or in the task's blob.
 */
export type ChunkRef = Omit<ByteChunk, "bytes"> & { at: number; length: number };

/** Where a task's bytes are: a file every worker can read, or a Redis binary value (claim check). */
type TaskSource = { path: string } | { blobKey: string };

/**
 * The data of one BullMQ job: global rows `firstRow … firstRow + rows − 1` of the input, as the chunks
 * wire's framer cut them. Small by design: never the rows themselves.
 */
export interface TaskData {
  /** The job (the coordinator's `--job-id`) this task belongs to. */
  jobId: string;
  /** Position of the task in the job; results are written in this order. */
  index: number;
  firstRow: number;
  rows: number;
  /** What to compute: the pool's streaming job (kind, params, output encoding, onError). */
  spec: StreamJob;
  source: TaskSource;
  chunks: ChunkRef[];
  /** Where the worker stores the result, and the list it pushes the task's index to when done. */
  resultKey: string;
  doneKey: string;
  /** The job's meta key: a worker writes no result once it is gone (the job ended). */
  metaKey: string;
  /** Lifetime of the result key in seconds (a backstop for a coordinator that never comes back). */
  ttlSeconds: number;
}

/** A failed row's error, flattened (class name, message, code and fields such as row, frame, byteOffset). */
export interface SerializedFailure {
  name: string;
  message: string;
  code?: string;
  props: Record<string, unknown>;
}

/** The header of a stored task result (see resultCodec.ts). */
export interface ResultHeader {
  index: number;
  firstRow: number;
  rows: number;
  /** Bytes of output records (encoded by the worker's pool, in row order). */
  bytes: number;
  /** Score jobs: −logprob of each scored row in row order, float64, for the job's running summary. */
  nll: number;
  /** Rows skipped with `--on-error skip`, and the first one's message. */
  skipped: number;
  firstSkip?: string;
  /** A data error (bad row or frame): `bytes` holds the rows before it. Deterministic: never retried. */
  failure?: SerializedFailure;
}
