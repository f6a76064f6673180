import type { WireError } from "./errors.js";
import type { RowBatch } from "./frames.js";

/**
 * The result of {@link decodeChunkPrefix}: the rows decoded before the first bad one (all of them when
 * `error` is absent). Returning rather than throwing lets a caller write every good row before it
 * reports the error, as the CLI contract requires.
 */
export interface DecodedChunk {
  batch: RowBatch;
  error?: WireError;
}
