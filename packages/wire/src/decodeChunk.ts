import { decodeRawChunk } from "./binary/decodeRawChunk.js";
import type { DecodedChunk, DecodeOptions } from "./decodedChunk.js";
import type { ByteChunk, RowBatch } from "./frames.js";
import { decodeMsgpackChunk } from "./msgpack/decodeMsgpackChunk.js";
import { decodeNdjsonChunk } from "./ndjson/decodeNdjsonChunk.js";

/**
 * Decodes a chunk cut by `frameChunks` into a batch, stopping at the first bad row: returns the rows
 * before it and the error (in skip mode bad rows are recorded in the batch instead). Pure and lean —
 * no Node streams, no rxjs — so a worker can call it. Use this, not {@link decodeChunk}, when the rows
 * before an error must still be written.
 *
 * @example
 * const { batch, error } = decodeChunkPrefix(chunk);
 * write(batch); // rows firstRow … firstRow + batch.rows − 1
 * if (error) throw error; // names the frame and byte offset
 */
export function decodeChunkPrefix(chunk: ByteChunk, opts: DecodeOptions = {}): DecodedChunk {
  switch (chunk.format) {
    case "ndjson":
      return decodeNdjsonChunk(chunk, opts);
    case "msgpack":
      return decodeMsgpackChunk(chunk, opts);
    default:
      return decodeRawChunk(chunk, opts);
  }
}

/** Decodes a chunk into a batch of all its rows; throws the first WireError (see {@link decodeChunkPrefix}). */
export function decodeChunk(chunk: ByteChunk): RowBatch {
  const { batch, error } = decodeChunkPrefix(chunk);
  if (error !== undefined) throw error;
  return batch;
}
