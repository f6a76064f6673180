import { BatchBuilder, checkTarget } from "../batchBuilder.js";
import type { DecodedChunk, DecodeOptions } from "../decodedChunk.js";
import { WireError } from "../errors.js";
import { validateFrameParams } from "../frameParams.js";
import { type ByteChunk, DEFAULTS } from "../frames.js";
import { MAX_ID_DEPTH, valueDepth } from "../valueDepth.js";
import { findLogitsArray } from "./findLogitsArray.js";
import { ScanFailure, scanNumberArray } from "./scanNumberArray.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
let scratch = new Float32Array(1 << 17);

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Decodes a chunk of NDJSON lines. A line is a JSON array of numbers (parsed by the byte scanner) or
 * an object `{"logits": [...], "id"?, "target"?, "params"?}` (its logits array by the byte scanner,
 * the rest by JSON.parse, which defines `__proto__` as an own property and so cannot pollute
 * prototypes; only own keys are read). Blank lines are ignored and are not rows.
 */
export function decodeNdjsonChunk(chunk: ByteChunk, opts: DecodeOptions = {}): DecodedChunk {
  const b = chunk.bytes;
  const n = b.length;
  const skip = chunk.onError === "skip";
  const builder = new BatchBuilder(
    chunk.firstRow,
    chunk.rows,
    chunk.vocab,
    chunk.maxVocab ?? DEFAULTS.maxVocab,
    opts.data,
    opts.ragged,
  );
  let pos = 0;
  let local = 0;
  let line = chunk.firstLine ?? 1;
  while (pos < n) {
    const nl = b.indexOf(0x0a, pos);
    const lineEnd = nl < 0 ? n : nl;
    let s = pos;
    while (s < lineEnd && isWs(b[s]!)) s++;
    if (s < lineEnd) {
      if (local >= chunk.rows) {
        const error = new WireError(
          "E_WIRE_FORMAT",
          `chunk holds more rows than its declared ${chunk.rows}`,
          {
            frame: chunk.firstRow + local,
            byteOffset: chunk.byteOffset + pos,
          },
        );
        return { batch: builder.finish(local), error };
      }
      const row = chunk.firstRow + local;
      const where = { frame: row, byteOffset: chunk.byteOffset + pos };
      try {
        decodeLine(b, s, lineEnd, builder, local, row, line, where);
      } catch (e) {
        if (skip && e instanceof WireError) builder.fail(local, e);
        else if (e instanceof WireError) return { batch: builder.finish(local), error: e };
        else throw e;
      }
      local++;
    }
    pos = nl < 0 ? n : nl + 1;
    line++;
  }
  if (local !== chunk.rows) {
    const error = new WireError("E_WIRE_FORMAT", `chunk declares ${chunk.rows} rows but holds ${local}`, {
      frame: chunk.firstRow + local,
      byteOffset: chunk.byteOffset + n,
    });
    return { batch: builder.finish(local), error };
  }
  return { batch: builder.finish() };
}

function decodeLine(
  b: Uint8Array,
  s: number,
  e: number,
  builder: BatchBuilder,
  local: number,
  row: number,
  line: number,
  where: { frame: number; byteOffset: number },
): void {
  const c = b[s]!;
  if (c === 0x5b) {
    decodeArrayLine(b, s, e, builder, local, row, line, where);
    return;
  }
  if (c !== 0x7b) {
    throw new WireError(
      "E_WIRE_SYNTAX",
      `row ${row} (line ${line}): expected a JSON array of numbers or an object with "logits"`,
      where,
    );
  }
  // Fast path: the byte scanner parses the logits array, JSON.parse only the rest of the object
  // (with the array replaced by 0). Anything unusual — no such array, duplicate "logits" keys — falls
  // back to JSON.parse of the whole line, so results are the same either way.
  const span = findLogitsArray(b, s, e);
  if (span !== null) {
    let rest: unknown;
    try {
      rest = JSON.parse(`${utf8.decode(b.subarray(s, span[0]))}0${utf8.decode(b.subarray(span[1], e))}`);
    } catch {
      rest = undefined;
    }
    if (
      rest !== null &&
      typeof rest === "object" &&
      !Array.isArray(rest) &&
      (rest as { logits?: unknown }).logits === 0
    ) {
      decodeArrayLine(b, span[0], span[1], builder, local, row, line, where);
      objectFields(rest, builder, local, row, where);
      return;
    }
  }
  let obj: unknown;
  let text = "";
  try {
    text = utf8.decode(b.subarray(s, e));
    obj = JSON.parse(text);
  } catch (cause) {
    const msg = (cause as Error).message;
    const at = /position (\d+)/.exec(msg);
    const atEnd = /end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= text.length);
    if (text !== "" && atEnd && e === b.length && b[e - 1] !== 0x0a) {
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `row ${row} (line ${line}) is cut short: the input ends inside it`,
        where,
        { cause },
      );
    }
    throw new WireError(
      "E_WIRE_SYNTAX",
      `row ${row} (line ${line}): not valid JSON (${(cause as Error).message}); each line must hold one complete JSON value`,
      where,
      { cause },
    );
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new WireError("E_WIRE_SYNTAX", `row ${row} (line ${line}): expected a JSON object`, where);
  }
  const logits = Object.hasOwn(obj, "logits") ? (obj as { logits: unknown }).logits : undefined;
  if (!Array.isArray(logits)) {
    throw new WireError(
      "E_WIRE_FIELD",
      `row ${row} (line ${line}): "logits" must be an array of numbers`,
      where,
    );
  }
  const v = logits.length;
  const o = builder.place(local, v, where, row);
  const out = builder.out();
  for (let i = 0; i < v; i++) {
    const x = minusInfinityOf(logits[i]);
    if (typeof x !== "number") {
      throw new WireError(
        "E_WIRE_FIELD",
        `row ${row} (line ${line}): logits[${i}] is ${typeof x}; logits must be numbers (or null / "-Infinity" for −∞)`,
        where,
      );
    }
    out[o + i] = x;
  }
  objectFields(obj, builder, local, row, where);
}

/** `null` and `"-Infinity"` (how JSON writers spell −∞) as −Infinity; anything else as it is. */
function minusInfinityOf(x: unknown): unknown {
  return x === null || x === "-Infinity" ? Number.NEGATIVE_INFINITY : x;
}

/** The optional fields of an object line: own keys only. */
function objectFields(
  obj: object,
  builder: BatchBuilder,
  local: number,
  row: number,
  where: { frame: number; byteOffset: number },
): void {
  const v = builder.lengthOf(local);
  if (Object.hasOwn(obj, "target")) {
    const t = checkTarget((obj as { target: unknown }).target, v, row, where);
    if (t >= 0) builder.setTarget(local, t);
  }
  if (Object.hasOwn(obj, "id")) {
    const id = (obj as { id: unknown }).id;
    if (valueDepth(id) > MAX_ID_DEPTH) {
      throw new WireError(
        "E_WIRE_FIELD",
        `row ${row}: "id" nests arrays/objects deeper than ${MAX_ID_DEPTH} levels; an id must be a shallow JSON value`,
        where,
      );
    }
    builder.setId(local, id);
  }
  if (Object.hasOwn(obj, "params")) {
    const p = (obj as { params: unknown }).params;
    if (p !== null) builder.setParams(local, validateFrameParams(p, where));
  }
}

function decodeArrayLine(
  b: Uint8Array,
  s: number,
  e: number,
  builder: BatchBuilder,
  local: number,
  row: number,
  line: number,
  where: { frame: number; byteOffset: number },
): void {
  try {
    if (builder.vocab < 0) {
      // First row of a stream of unknown width: parse into scratch, growing it if needed.
      const count = scanIntoScratch(b, s, e, builder.maxVocab);
      const o = builder.place(local, count, where, row);
      builder.out().set(scratch.subarray(0, count), o);
    } else {
      // Straight into the batch, up to the expected length (the vocabulary, or in a batch whose rows
      // differ the previous row's): a row of that length — every row of a uniform stream — is read once.
      const v = builder.expected();
      const at = builder.reserve(local, v); // first: it may move the batch's memory
      const out = builder.out();
      // When rows may differ, the scanner may fill all the room there is, so that a longer row is read
      // once too (the rows after this one are not written yet).
      const room = builder.ragged ? out.length - at : v;
      const count = scanNumberArray(b, s, e, out, at, room);
      if (count === v) {
        builder.place(local, v, where, row); // uniform: one comparison; packed: records the row's end
        return;
      }
      if (!builder.ragged) {
        const got = count > v ? `more than ${v}` : String(count);
        throw new WireError(
          "E_WIRE_VOCAB",
          `row ${row} (line ${line}) has ${got} logits but the stream's vocabulary size is ${v}; every row must have the same length`,
          where,
        );
      }
      if (count <= room) {
        builder.place(local, count, where, row); // its numbers are already in place
        return;
      }
      const longer = scanIntoScratch(b, s, e, builder.maxVocab);
      const o = builder.place(local, longer, where, row);
      builder.out().set(scratch.subarray(0, longer), o);
    }
  } catch (err) {
    if (err instanceof ScanFailure && err.pos >= e && e === b.length && b[e - 1] !== 0x0a) {
      // The scanner ran off the end of the last line, which has no newline: the input was cut here.
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `row ${row} (line ${line}) is cut short: the input ends inside it, before its closing "]"`,
        where,
      );
    }
    if (err instanceof ScanFailure) {
      throw new WireError(
        "E_WIRE_SYNTAX",
        `row ${row} (line ${line}), column ${err.pos - s + 1}: ${err.problem}; a row must be a JSON array of numbers`,
        where,
      );
    }
    throw err;
  }
}

/**
 * Scans a row of unknown length into the module's scratch, growing it (up to maxVocab + 1, enough to
 * tell a row over the limit) as needed. Returns the element count.
 */
function scanIntoScratch(b: Uint8Array, s: number, e: number, maxVocab: number): number {
  let count = scanNumberArray(b, s, e, scratch, 0, scratch.length);
  while (count > scratch.length && scratch.length <= maxVocab) {
    scratch = new Float32Array(Math.min(scratch.length * 4, maxVocab + 1));
    count = scanNumberArray(b, s, e, scratch, 0, scratch.length);
  }
  return count;
}
