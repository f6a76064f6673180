import { parseSafetensorsHeader, safetensorsHeaderSize } from "../binary/parseSafetensorsHeader.js";
import type { ByteSource } from "../byteSource.js";
import { WireError } from "../errors.js";
import type { ByteChunk } from "../frames.js";
import { frameFixedRows } from "./frameFixedRows.js";
import { checkVocab, type FramingOptions } from "./framingOptions.js";

/** Reads a safetensors header, skips to the chosen tensor (`tensor`, or the only one), then cuts its rows. */
export async function* frameSafetensors(
  src: ByteSource,
  o: FramingOptions,
  tensor: string | undefined,
): AsyncGenerator<ByteChunk> {
  await src.fill(8);
  const size = src.length >= 8 ? safetensorsHeaderSize(src.view(), o.maxHeaderBytes) : -1;
  if (size >= 0) await src.fill(size);
  if (size < 0 || src.length < size) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `safetensors header is cut short: the input ends after ${src.length} bytes`,
      { frame: -1, byteOffset: 0 },
    );
  }
  const t = parseSafetensorsHeader(src.view().subarray(0, size), tensor, o.maxVocab);
  const name = JSON.stringify(t.name);
  checkVocab(o, t.vocab, `safetensors tensor ${name}`);
  src.consume(size);
  if (!(await src.discard(t.begin - size))) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `safetensors tensor ${name} starts at byte ${t.begin} but the input ends at ${src.base}`,
      { frame: 0, byteOffset: src.base },
    );
  }
  yield* frameFixedRows(src, o, { format: "safetensors", dtype: t.dtype, vocab: t.vocab, totalRows: t.rows });
}
