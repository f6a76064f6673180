import type { ByteSource } from "../byteSource.js";
import { WireError } from "../errors.js";
import { type ByteChunk, DTYPE_BYTES, type Dtype, type Format } from "../frames.js";
import type { FramingOptions } from "./framingOptions.js";

/** The rows a fixed-size-row framer cuts: their format, element type and width. */
interface FixedRows {
  format: Format;
  dtype: Dtype;
  vocab: number;
  /** Rows a header promises (.npy, safetensors); undefined: until the input ends (raw). */
  totalRows?: number;
}

/**
 * Cuts rows of a fixed byte size (raw f32/f16/bf16, .npy data, safetensors data; any element type) into
 * chunks of at most `maxBatchRows` rows and `maxChunkBytes` bytes (at least one row). Whole rows come out
 * early when the input pauses between rows. An input that ends inside a row, or before the rows a header
 * promised, is a WireError E_WIRE_TRUNCATED after the whole rows before it.
 */
export async function* frameFixedRows(
  src: ByteSource,
  o: FramingOptions,
  rows: FixedRows,
): AsyncGenerator<ByteChunk> {
  const { format, dtype, vocab, totalRows } = rows;
  const rowBytes = vocab * DTYPE_BYTES[dtype];
  const perChunk = Math.max(1, Math.min(o.maxBatchRows, Math.floor(o.maxChunkBytes / rowBytes)));
  let row = 0;
  while (totalRows === undefined || row < totalRows) {
    const want = totalRows === undefined ? perChunk : Math.min(perChunk, totalRows - row);
    const byteOffset = src.base;
    // Whole rows come back early when the input pauses between rows (see ByteSource.takeUpTo).
    let bytes = await src.takeUpTo(want * rowBytes, rowBytes);
    const n = Math.floor(bytes.length / rowBytes);
    const rest = bytes.length - n * rowBytes;
    if (n > 0) {
      if (rest > 0) bytes = src.prefix(bytes, n * rowBytes);
      yield {
        format,
        firstRow: row,
        rows: n,
        firstFrame: row,
        bytes,
        byteOffset,
        vocab,
        dtype,
        onError: o.onError,
        maxVocab: o.maxVocab,
      } satisfies ByteChunk;
      row += n;
    }
    if (n === want) continue;
    if (!src.done) continue; // the input paused after whole rows: more may come
    // The input ended: cleanly at a row boundary (raw), or short of a row or of the promised rows.
    const where = { frame: row, byteOffset: byteOffset + n * rowBytes };
    if (rest > 0) {
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `row ${row} is cut short: ${rest} of its ${rowBytes} bytes (${vocab} × ${dtype}) are present`,
        where,
      );
    }
    if (totalRows !== undefined) {
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `the header promises ${totalRows} rows but the input ends after ${row}; the file is truncated`,
        where,
      );
    }
    return;
  }
}
