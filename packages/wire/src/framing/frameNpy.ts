import { npyHeaderSize, parseNpyHeader } from "../binary/parseNpyHeader.js";
import type { ByteSource } from "../byteSource.js";
import { WireError } from "../errors.js";
import type { ByteChunk } from "../frames.js";
import { frameFixedRows } from "./frameFixedRows.js";
import { checkVocab, type FramingOptions } from "./framingOptions.js";

/** Reads a .npy header (shape `[..., V]`, `<f4`/`<f2`/`<f8`), then cuts its rows. */
export async function* frameNpy(src: ByteSource, o: FramingOptions): AsyncGenerator<ByteChunk> {
  await src.fill(12);
  const size = src.length >= 8 ? npyHeaderSize(src.view(), o.maxHeaderBytes) : -1;
  if (size >= 0) await src.fill(size);
  if (size < 0 || src.length < size) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `.npy header is cut short: the input ends after ${src.length} bytes`,
      { frame: -1, byteOffset: 0 },
    );
  }
  const h = parseNpyHeader(src.view().subarray(0, size), o.maxVocab);
  checkVocab(o, h.vocab, ".npy file");
  src.consume(h.dataOffset);
  yield* frameFixedRows(src, o, { format: "npy", dtype: h.dtype, vocab: h.vocab, totalRows: h.rows });
}
