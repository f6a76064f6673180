import type { WireError } from "./errors.js";
import type { RowBatch } from "./frames.js";

/**
 * The result of {@link decodeChunkPrefix}: the rows decoded before the first bad one (all of them when
 * `error` is absent). Returning rather than throwing lets a caller write every good row before it
 * reports the error, as the CLI contract requires.
 */
/** Options of {@link decodeChunkPrefix}. */
export interface DecodeOptions {
  /**
   * Supplies the memory for the decoded rows: called at most once per chunk with `rows × vocab`; must
   * return a Float32Array of at least that many elements (the batch's `data` is a view of the first
   * ones, which are all overwritten). Lets a worker decode every chunk into one reused buffer instead
   * of a fresh one each time; the caller must not reuse it while the batch is in use. An aligned f32
   * chunk is viewed in place and does not call it.
   */
  data?: (elements: number) => Float32Array;
  /**
   * Accept NDJSON / msgpack rows of different lengths in one chunk (frames say how long they are),
   * when the chunk has no `vocab`: the batch is then packed, with {@link RowBatch.offsets}. Off by
   * default: callers that read `vocab` as every row's length get today's error instead.
   */
  ragged?: boolean;
}

export interface DecodedChunk {
  batch: RowBatch;
  error?: WireError;
}
