import { type ByteInput, ByteSource } from "./byteSource.js";
import { detectFormat } from "./detectFormat.js";
import { WireError } from "./errors.js";
import type { ByteChunk, Format, ReadOptions } from "./frames.js";
import {
  FIRST_PRINTABLE,
  hasByteOrderMark,
  isLineBlank,
  LAST_PRINTABLE,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
} from "./framing/asciiBytes.js";
import { frameFixedRows } from "./framing/frameFixedRows.js";
import { frameMsgpack } from "./framing/frameMsgpack.js";
import { frameNdjson } from "./framing/frameNdjson.js";
import { frameNpy } from "./framing/frameNpy.js";
import { frameSafetensors } from "./framing/frameSafetensors.js";
import { framingOptions } from "./framing/framingOptions.js";

/**
 * Cuts an input into chunks of whole frames — NDJSON lines, msgpack frames, binary rows — without
 * parsing numbers: the cheap main-thread half of reading. Each chunk owns its bytes (transferable)
 * and says where it starts (`firstRow`, `firstFrame`, `byteOffset`); `decodeChunk` /
 * `decodeChunkPrefix` turn it into rows, on this thread or in a worker.
 *
 * Memory stays bounded: the framer holds at most one chunk (≤ `maxBatchRows` rows and about
 * `maxChunkBytes`, or one larger frame up to `maxFrameBytes`) plus one read. Nothing is allocated
 * from a size a header merely claims.
 *
 * Errors the framer can see (truncation, msgpack bytes it cannot resynchronise after, bad headers,
 * limits) are thrown after every complete chunk before them has been yielded.
 *
 * One framer per format, each in `framing/`: `frameNdjson` (lines), `frameMsgpack` (scanned frames),
 * `frameFixedRows` (raw rows of any element type), and `frameNpy` / `frameSafetensors` (a header, then
 * fixed rows).
 *
 * @param input bytes: an async or sync iterable of Uint8Array (a FillableInput fills binary rows' chunks
 *   itself), a Node stream, one Uint8Array or a ByteReader
 * @param opts format (detected when omitted, except raw), limits, `alloc` for the chunks' memory
 * @example
 * ```ts
 * for await (const chunk of frameChunks(process.stdin, { format: "ndjson" })) {
 *   const batch = decodeChunk(chunk); // or hand `chunk` to a worker
 * }
 * ```
 */
export async function* frameChunks(input: ByteInput, opts: ReadOptions = {}): AsyncGenerator<ByteChunk> {
  const o = framingOptions(opts);
  const src = new ByteSource(input, opts.alloc);
  try {
    let format = opts.format;
    if (format === undefined) {
      await fillToDetect(src);
      format = detectFormatOrRaw(src.view(), opts.vocab);
    }
    switch (format) {
      case "ndjson":
        yield* frameNdjson(src, o);
        return;
      case "msgpack":
        yield* frameMsgpack(src, o);
        return;
      case "npy":
        yield* frameNpy(src, o);
        return;
      case "safetensors":
        yield* frameSafetensors(src, o, opts.tensor);
        return;
      default: {
        if (o.vocab === undefined) {
          throw new WireError(
            "E_WIRE_FORMAT",
            `raw ${format} input needs the vocabulary size (vocab / --vocab V)`,
            { frame: -1, byteOffset: -1 },
          );
        }
        yield* frameFixedRows(src, o, { format, dtype: format, vocab: o.vocab });
      }
    }
  } finally {
    await src.close();
  }
}

/**
 * Buffers the 9 bytes `detectFormat` needs, or fewer when they are a whole short NDJSON line (`[1,2]`
 * typed into a pipe) and the input then pauses: that line's record is not held back by detection.
 */
async function fillToDetect(src: ByteSource): Promise<void> {
  while (src.length < 9) {
    if (isShortNdjsonLine(src.view()) && (await src.wouldWait())) return;
    if (!(await src.pull())) return;
  }
}

/** Printable ASCII text starting (after a BOM and whitespace) with "[" or "{" and ending with a newline. */
function isShortNdjsonLine(b: Uint8Array): boolean {
  if (b.length === 0 || b[b.length - 1] !== NEWLINE) return false;
  let i = hasByteOrderMark(b) ? 3 : 0;
  while (i < b.length && (isLineBlank(b[i]) || b[i] === NEWLINE)) i++;
  if (b[i] !== OPEN_BRACKET && b[i] !== OPEN_BRACE) return false;
  for (; i < b.length; i++) {
    const c = b[i]!;
    if ((c < FIRST_PRINTABLE || c > LAST_PRINTABLE) && !isLineBlank(c) && c !== NEWLINE) return false;
  }
  return true;
}

/**
 * The detected format; bytes that are none of the self-describing formats are raw float32 rows when a
 * vocabulary size was given (`--vocab V` alone on binary input means raw f32), else the detection error.
 */
function detectFormatOrRaw(bytes: Uint8Array, vocab: number | undefined): Format {
  try {
    return detectFormat(bytes, true)!;
  } catch (err) {
    if (vocab !== undefined && err instanceof WireError && err.code === "E_WIRE_FORMAT") return "f32";
    throw err;
  }
}
