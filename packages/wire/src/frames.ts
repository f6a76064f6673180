import type { WireError } from "./errors.js";
import type { FrameParams } from "./frameParams.js";

/** Input formats. `f32`/`f16`/`bf16` are raw little-endian rows without a header (they need `vocab`). */
export type Format = "ndjson" | "msgpack" | "f32" | "f16" | "bf16" | "npy" | "safetensors";

/** Element types on the wire. `f64` only occurs in .npy (`<f8`) and safetensors (`F64`) input. */
export type Dtype = "f32" | "f16" | "bf16" | "f64";

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { f32: 4, f16: 2, bf16: 2, f64: 8 };

/**
 * A batch of rows: `rows × vocab` row-major in one Float32Array. Row `i` of the batch is row
 * `firstRow + i` of the input (its position, which is also its RNG stream in the core).
 */
export interface RowBatch {
  firstRow: number;
  rows: number;
  /** Every row's length; 0 when the rows differ (see {@link RowBatch.offsets}). */
  vocab: number;
  data: Float32Array;
  /**
   * Only from `decodeChunkPrefix(chunk, { ragged: true })`, when the rows do not all have the same
   * length (NDJSON / msgpack frames say their own): `rows + 1` entries, row `i` is
   * `data[offsets[i], offsets[i + 1])`. Absent whenever every row has `vocab` logits.
   */
  offsets?: Int32Array;
  /** Per-row ids, present when any frame of the batch carried one (`undefined` entries otherwise). */
  ids?: unknown[];
  /** Per-row target token ids, present when any frame carried one; -1 = no target. */
  targets?: Int32Array;
  /** Per-row sampler params, present when any frame carried `params`. */
  params?: (FrameParams | undefined)[];
  /**
   * Only with `onError: "skip"`: the rows that were malformed. They keep their row index (so row
   * numbers, targets files and RNG streams stay aligned with the input) and their data is NaN, which
   * the core's batch functions report as a bad row (token -1) in skip mode. `readRows` leaves them out.
   */
  errors?: WireError[];
  /** Only with `onError: "skip"`: the global row index of each entry of `errors`. */
  skippedRows?: number[];
}

/** One row, as `readRows` yields it. `logits` is a view into its batch (no copy). */
export interface Row {
  row: number;
  logits: Float32Array;
  id?: unknown;
  target?: number;
  params?: FrameParams;
}

/** Options of every reader. */
export interface ReadOptions {
  /** Input format; detected from the first bytes when omitted (raw formats cannot be detected). */
  format?: Format;
  /**
   * Vocabulary size: required for raw f32/f16/bf16; elsewhere a check (every row must have it). These
   * readers hold one vocabulary per stream (the first row's, when not given); the pool reads NDJSON and
   * msgpack rows of different lengths (`decodeChunkPrefix(chunk, { ragged: true })`).
   */
  vocab?: number;
  /** safetensors: the tensor to read; optional when the file holds exactly one tensor. */
  tensor?: string;
  /** Rows per batch / chunk (default 64). A msgpack batch frame is never split, so it can exceed this. */
  maxBatchRows?: number;
  /** `"skip"`: malformed NDJSON lines and msgpack frames are skipped (see {@link RowBatch.errors}). */
  onError?: "throw" | "skip";
  /** Soft cap on the bytes of one chunk (default 4 MiB); a chunk always holds at least one frame. */
  maxChunkBytes?: number;
  /** Largest NDJSON line / msgpack frame accepted (default 256 MiB). */
  maxFrameBytes?: number;
  /** Largest vocabulary accepted from a header or a frame (default 2^24). */
  maxVocab?: number;
  /** Largest safetensors / .npy header accepted (default 100,000,000 bytes, the safetensors limit). */
  maxHeaderBytes?: number;
  /**
   * `frameChunks` only: allocates the memory of each chunk's `bytes` (it must return a `Uint8Array` of
   * exactly the size asked for). A worker pool passes its own (`pool.allocBytes`: SharedArrayBuffer
   * slabs it recycles), so the bytes are cut straight into memory the workers read, with no staging
   * copy. The chunk's bytes are then a view into that memory, not a buffer of their own.
   */
  alloc?: (bytes: number) => Uint8Array;
}

/**
 * Bytes of whole frames (NDJSON lines, msgpack frames, binary rows), cut by {@link frameChunks} and
 * turned into a {@link RowBatch} by `decodeChunk` — possibly in a worker: the object is
 * structured-cloneable, and `bytes.buffer` belongs to this chunk alone (binary chunks: exactly; NDJSON and
 * msgpack chunks: a view with some slack around it), so it can be transferred.
 */
export interface ByteChunk {
  /** The input format (npy and safetensors chunks hold raw rows of `dtype`). */
  format: Format;
  /** Global index of the chunk's first row. */
  firstRow: number;
  /** Rows in the chunk (NDJSON: non-blank lines; msgpack: the rows its frames declare). */
  rows: number;
  /** Index of the chunk's first frame (equals firstRow except for msgpack batch frames). */
  firstFrame: number;
  /** NDJSON only: 1-based line number of the chunk's first line, for messages. */
  firstLine?: number;
  bytes: Uint8Array;
  /** Absolute byte offset of `bytes[0]` in the input. */
  byteOffset: number;
  /** Expected vocabulary size; always set for binary formats, set for others when known. */
  vocab?: number;
  /** Element type of binary rows. */
  dtype?: Dtype;
  onError?: "throw" | "skip";
  maxVocab?: number;
}

export const DEFAULTS = {
  maxBatchRows: 64,
  maxChunkBytes: 4 * 1024 * 1024,
  maxFrameBytes: 256 * 1024 * 1024,
  maxVocab: 1 << 24,
  maxHeaderBytes: 100_000_000,
} as const;
