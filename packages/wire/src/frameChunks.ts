import { npyHeaderSize, parseNpyHeader } from "./binary/parseNpyHeader.js";
import { parseSafetensorsHeader, safetensorsHeaderSize } from "./binary/parseSafetensorsHeader.js";
import { type ByteInput, ByteSource } from "./byteSource.js";
import { detectFormat } from "./detectFormat.js";
import { WireError } from "./errors.js";
import {
  type ByteChunk,
  DEFAULTS,
  DTYPE_BYTES,
  type Dtype,
  type Format,
  type ReadOptions,
} from "./frames.js";
import { frameRows } from "./msgpack/frameRows.js";
import { MsgpackScanError, NEED_MORE, newFrameInfo, scanMsgpackFrame } from "./msgpack/scanMsgpackFrame.js";

interface Resolved {
  maxBatchRows: number;
  maxChunkBytes: number;
  maxFrameBytes: number;
  maxVocab: number;
  maxHeaderBytes: number;
  onError: "throw" | "skip";
  vocab: number | undefined;
}

const FORMATS: readonly Format[] = ["ndjson", "msgpack", "f32", "f16", "bf16", "npy", "safetensors"];

function resolve(opts: ReadOptions): Resolved {
  const o: Resolved = {
    maxBatchRows: opts.maxBatchRows ?? DEFAULTS.maxBatchRows,
    maxChunkBytes: opts.maxChunkBytes ?? DEFAULTS.maxChunkBytes,
    maxFrameBytes: opts.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxVocab: opts.maxVocab ?? DEFAULTS.maxVocab,
    maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
    onError: opts.onError ?? "throw",
    vocab: opts.vocab,
  };
  const nowhere = { frame: -1, byteOffset: -1 };
  for (const k of ["maxBatchRows", "maxChunkBytes", "maxFrameBytes", "maxVocab", "maxHeaderBytes"] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1)
      throw new WireError("E_WIRE_FORMAT", `option ${k} must be a positive integer`, nowhere);
  }
  if (o.vocab !== undefined && (!Number.isSafeInteger(o.vocab) || o.vocab < 1 || o.vocab > o.maxVocab)) {
    throw new WireError(
      "E_WIRE_FORMAT",
      `option vocab must be an integer in [1, maxVocab = ${o.maxVocab}]`,
      nowhere,
    );
  }
  if (o.onError !== "throw" && o.onError !== "skip")
    throw new WireError("E_WIRE_FORMAT", 'option onError must be "throw" or "skip"', nowhere);
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    throw new WireError(
      "E_WIRE_FORMAT",
      `unknown format ${JSON.stringify(opts.format)}; use one of ${FORMATS.join(", ")}`,
      nowhere,
    );
  }
  return o;
}

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
 */
export async function* frameChunks(input: ByteInput, opts: ReadOptions = {}): AsyncGenerator<ByteChunk> {
  const o = resolve(opts);
  const src = new ByteSource(input, opts.alloc);
  try {
    let format = opts.format;
    if (format === undefined) {
      await fillToDetect(src);
      format = detectFormat(src.view(), true)!;
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
            {
              frame: -1,
              byteOffset: -1,
            },
          );
        }
        yield* frameRows32(src, o, format, format, o.vocab, -1);
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

/** Printable ASCII text starting (after a BOM and whitespace) with "[" or "{" and ending with "\n". */
function isShortNdjsonLine(b: Uint8Array): boolean {
  if (b.length === 0 || b[b.length - 1] !== 0x0a) return false;
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++;
  if (b[i] !== 0x5b && b[i] !== 0x7b) return false;
  for (; i < b.length; i++) {
    const c = b[i]!;
    if ((c < 0x20 || c > 0x7e) && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

async function* frameNdjson(src: ByteSource, o: Resolved): AsyncGenerator<ByteChunk> {
  await src.fill(3);
  const head = src.view();
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) src.consume(3); // byte order mark
  let row = 0;
  let line = 1;
  let scan = 0;
  let lineStart = 0;
  let chunkRows = 0;
  let chunkLines = 0;
  // An array line of more than maxVocab logits is an error whatever follows, and it holds at least two
  // bytes per logit. So once an unfinished line passes 2 × maxVocab bytes, its commas are counted (only
  // then: ordinary lines cost nothing more than the newline search) and an array line is stopped at
  // maxVocab commas, instead of being buffered up to maxFrameBytes (a 200 MB line: ~0.8 GB resident
  // across the framer, the pool's staging and the worker).
  let lineKind = 0; // of the unfinished line: 0 not looked at, 1 a JSON array, 2 something else
  let commas = 0;
  let counted = 0; // the unfinished line's commas are counted up to this offset of the view
  const emit = (): ByteChunk | null => {
    const byteOffset = src.base;
    const bytes = src.detach(lineStart, Math.ceil(Math.min(o.maxChunkBytes, lineStart) * 1.25) + 65536);
    const chunk: ByteChunk | null =
      chunkRows === 0
        ? null
        : {
            format: "ndjson",
            firstRow: row,
            rows: chunkRows,
            firstFrame: row,
            firstLine: line,
            bytes,
            byteOffset,
            onError: o.onError,
            maxVocab: o.maxVocab,
          };
    if (chunk !== null && o.vocab !== undefined) chunk.vocab = o.vocab;
    row += chunkRows;
    line += chunkLines;
    scan -= lineStart;
    lineStart = 0;
    chunkRows = 0;
    chunkLines = 0;
    return chunk;
  };
  const tooLong = (): WireError =>
    new WireError(
      "E_WIRE_LIMIT",
      `row ${row + chunkRows} (line ${line + chunkLines}) is longer than maxFrameBytes (${o.maxFrameBytes} bytes); raise maxFrameBytes or check that the input is NDJSON`,
      { frame: row + chunkRows, byteOffset: src.base + lineStart },
    );
  for (;;) {
    const v = src.view();
    const nl = v.indexOf(0x0a, scan);
    if (nl < 0) {
      if (v.length - lineStart > o.maxFrameBytes) {
        const c = emit();
        if (c !== null) yield c;
        throw tooLong();
      }
      if (lineKind !== 2 && v.length - lineStart > 2 * o.maxVocab) {
        if (lineKind === 0) {
          let s = lineStart;
          while (v[s] === 0x20 || v[s] === 0x09 || v[s] === 0x0d) s++;
          lineKind = v[s] === 0x5b ? 1 : 2;
          counted = lineStart;
        }
        if (lineKind === 1) {
          for (let i = counted; i < v.length; i++) if (v[i] === 0x2c) commas++;
          counted = v.length;
          if (commas >= o.maxVocab) {
            const at = { frame: row + chunkRows, byteOffset: src.base + lineStart };
            const problem = `row ${row + chunkRows} (line ${line + chunkLines}) has more than maxVocab (${o.maxVocab}) logits; raise maxVocab if this is intended`;
            const c = emit();
            if (c !== null) yield c;
            throw new WireError("E_WIRE_LIMIT", problem, at);
          }
        }
      }
      scan = v.length;
      // Complete rows and nothing after them, and the input has paused (a pipe between rows): hand
      // the rows out now — each record is written as soon as it is ready — instead of waiting for a
      // full chunk. Reads that end inside a line (files, fast pipes) keep filling full chunks.
      if (chunkRows > 0 && lineStart === v.length && (await src.wouldWait())) {
        const c = emit();
        if (c !== null) yield c;
        continue; // with the view emptied by the emit
      }
      if (await src.pull()) continue;
      // End of input: a last line without a newline is still a line (and is cut short if incomplete).
      if (v.length > lineStart) {
        if (!isBlank(v, lineStart, v.length)) chunkRows++;
        chunkLines++;
        lineStart = v.length;
      }
      const c = emit();
      if (c !== null) yield c;
      return;
    }
    if (nl - lineStart > o.maxFrameBytes) {
      const c = emit();
      if (c !== null) yield c;
      throw tooLong();
    }
    if (!isBlank(v, lineStart, nl)) chunkRows++;
    chunkLines++;
    lineStart = nl + 1;
    scan = nl + 1;
    lineKind = 0;
    commas = 0;
    if (chunkRows >= o.maxBatchRows || lineStart >= o.maxChunkBytes) {
      const c = emit();
      if (c !== null) yield c;
    }
  }
}

async function* frameMsgpack(src: ByteSource, o: Resolved): AsyncGenerator<ByteChunk> {
  const info = newFrameInfo();
  let frame = 0;
  let row = 0;
  let pos = 0;
  let chunkRows = 0;
  let chunkFrames = 0;
  let retryAt = 0;
  const emit = (): ByteChunk => {
    const chunk: ByteChunk = {
      format: "msgpack",
      firstRow: row,
      rows: chunkRows,
      firstFrame: frame - chunkFrames,
      byteOffset: src.base,
      bytes: src.detach(pos, Math.ceil(Math.min(o.maxChunkBytes, pos) * 1.25) + 65536),
      onError: o.onError,
      maxVocab: o.maxVocab,
    };
    if (o.vocab !== undefined) chunk.vocab = o.vocab;
    row += chunkRows;
    chunkRows = 0;
    chunkFrames = 0;
    pos = 0;
    return chunk;
  };
  for (;;) {
    const v = src.view();
    if (pos >= v.length || (v.length < retryAt && !src.done)) {
      // Complete frames and nothing after them, and the input has paused: hand them out now.
      if (chunkRows > 0 && pos === v.length && (await src.wouldWait())) {
        yield emit();
        continue;
      }
      if (await src.pull()) continue;
      if (pos >= src.view().length) {
        if (chunkFrames > 0) yield emit();
        return;
      }
      continue; // at the end of input: scan what is there once more, to report the truncation
    }
    let end: number;
    try {
      end = scanMsgpackFrame(v, pos, v.length, o.maxFrameBytes, info);
    } catch (e) {
      if (!(e instanceof MsgpackScanError)) throw e;
      const at = { frame, byteOffset: src.base + pos };
      if (chunkFrames > 0) yield emit();
      // No length prefix or sync marker exists in a msgpack stream: after bytes that are not msgpack
      // the next frame boundary is unknowable, so even skip mode stops here.
      throw new WireError(
        e.limit ? "E_WIRE_LIMIT" : "E_WIRE_SYNTAX",
        `frame ${frame}: ${e.problem}${e.limit ? `; raise maxFrameBytes (${o.maxFrameBytes}) if the frame is genuine` : ""}`,
        at,
      );
    }
    if (end === NEED_MORE) {
      if (src.done) {
        const at = { frame, byteOffset: src.base + pos };
        const have = v.length - pos;
        if (chunkFrames > 0) yield emit();
        throw new WireError(
          "E_WIRE_TRUNCATED",
          `frame ${frame} is cut short: the input ends ${have} bytes into it`,
          at,
        );
      }
      // Rescan only once the buffered part of this frame has doubled: linear time for frames that
      // arrive in many small reads.
      retryAt = pos + 2 * Math.max(v.length - pos, 4096);
      continue;
    }
    retryAt = 0;
    const rows = frameRows(info);
    if (chunkRows > 0 && chunkRows + rows > o.maxBatchRows) {
      yield emit();
      continue; // rescan the same frame at the start of the next chunk (cheap)
    }
    chunkRows += rows;
    chunkFrames++;
    frame++;
    pos = end;
    if (chunkRows >= o.maxBatchRows || pos >= o.maxChunkBytes) yield emit();
  }
}

/** Fixed-size rows (raw, .npy data, safetensors data): `totalRows` -1 means "until the input ends". */
async function* frameRows32(
  src: ByteSource,
  o: Resolved,
  format: Format,
  dtype: Dtype,
  vocab: number,
  totalRows: number,
): AsyncGenerator<ByteChunk> {
  const rowBytes = vocab * DTYPE_BYTES[dtype];
  const perChunk = Math.max(1, Math.min(o.maxBatchRows, Math.floor(o.maxChunkBytes / rowBytes)));
  let row = 0;
  while (totalRows < 0 || row < totalRows) {
    const want = totalRows < 0 ? perChunk : Math.min(perChunk, totalRows - row);
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
      };
      row += n;
    }
    if (n < want && !src.done) continue; // the input paused after whole rows: more may come
    if (n < want) {
      // The input ended: cleanly at a row boundary (raw), or short of a row or of the promised rows.
      const where = { frame: row, byteOffset: byteOffset + n * rowBytes };
      if (rest > 0) {
        throw new WireError(
          "E_WIRE_TRUNCATED",
          `row ${row} is cut short: ${rest} of its ${rowBytes} bytes (${vocab} × ${dtype}) are present`,
          where,
        );
      }
      if (totalRows >= 0) {
        throw new WireError(
          "E_WIRE_TRUNCATED",
          `the header promises ${totalRows} rows but the input ends after ${row}; the file is truncated`,
          where,
        );
      }
      return;
    }
  }
}

function checkVocab(o: Resolved, vocab: number, what: string): void {
  if (o.vocab !== undefined && o.vocab !== vocab) {
    throw new WireError("E_WIRE_VOCAB", `${what} has vocabulary ${vocab} but ${o.vocab} was expected`, {
      frame: -1,
      byteOffset: 0,
    });
  }
}

async function* frameNpy(src: ByteSource, o: Resolved): AsyncGenerator<ByteChunk> {
  await src.fill(12);
  let size = src.length >= 8 ? npyHeaderSize(src.view(), o.maxHeaderBytes) : -1;
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
  size = h.dataOffset;
  src.consume(size);
  yield* frameRows32(src, o, "npy", h.dtype, h.vocab, h.rows);
}

async function* frameSafetensors(
  src: ByteSource,
  o: Resolved,
  tensor: string | undefined,
): AsyncGenerator<ByteChunk> {
  await src.fill(8);
  const size = src.length >= 8 ? safetensorsHeaderSize(src.view(), o.maxHeaderBytes) : -1;
  if (size >= 0) await src.fill(size);
  if (size < 0 || src.length < size) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `safetensors header is cut short: the input ends after ${src.length} bytes`,
      {
        frame: -1,
        byteOffset: 0,
      },
    );
  }
  const t = parseSafetensorsHeader(src.view().subarray(0, size), tensor, o.maxVocab);
  checkVocab(o, t.vocab, `safetensors tensor ${JSON.stringify(t.name)}`);
  src.consume(size);
  if (!(await src.discard(t.begin - size))) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `safetensors tensor ${JSON.stringify(t.name)} starts at byte ${t.begin} but the input ends at ${src.base}`,
      { frame: 0, byteOffset: src.base },
    );
  }
  yield* frameRows32(src, o, "safetensors", t.dtype, t.vocab, t.rows);
}
