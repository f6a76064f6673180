import type { DecodedChunk, DecodeOptions } from "../decodedChunk.js";
import { WireError } from "../errors.js";
import { type ByteChunk, DTYPE_BYTES } from "../frames.js";
import { decodeElements, LITTLE_ENDIAN } from "./decodeElements.js";

/**
 * Decodes a chunk of whole binary rows (raw f32/f16/bf16, or the data of .npy / safetensors).
 * An aligned little-endian f32 chunk becomes a view of the chunk's own buffer: no copy at all.
 */
export function decodeRawChunk(chunk: ByteChunk, opts: DecodeOptions = {}): DecodedChunk {
  const { dtype, vocab, rows, bytes } = chunk;
  const where = { frame: chunk.firstFrame, byteOffset: chunk.byteOffset };
  if (dtype === undefined || vocab === undefined || !Number.isInteger(vocab) || vocab < 1) {
    throw new WireError("E_WIRE_FORMAT", "a binary chunk needs dtype and a positive vocab", where);
  }
  const n = rows * vocab;
  if (bytes.length !== n * DTYPE_BYTES[dtype]) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `binary chunk of ${rows} rows × ${vocab} ${dtype} needs ${n * DTYPE_BYTES[dtype]} bytes but holds ${bytes.length}`,
      where,
    );
  }
  let data: Float32Array;
  if (dtype === "f32" && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0)
    data = new Float32Array(bytes.buffer, bytes.byteOffset, n);
  else {
    data = opts.data !== undefined ? opts.data(n).subarray(0, n) : new Float32Array(n);
    decodeElements(bytes, 0, n, dtype, data, 0);
  }
  return { batch: { firstRow: chunk.firstRow, rows, vocab, data } };
}
