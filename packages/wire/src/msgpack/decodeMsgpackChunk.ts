import { Unpackr } from "msgpackr/unpack";
import { BatchBuilder, checkTarget } from "../batchBuilder.js";
import { decodeElements } from "../binary/decodeElements.js";
import type { DecodedChunk, DecodeOptions } from "../decodedChunk.js";
import { WireError } from "../errors.js";
import { validateFrameParams } from "../frameParams.js";
import { type ByteChunk, DEFAULTS, DTYPE_BYTES, type Dtype } from "../frames.js";
import { MAX_ID_DEPTH, valueDepth } from "../valueDepth.js";
import { frameRows } from "./frameRows.js";
import { MsgpackScanError, NEED_MORE, newFrameInfo, scanMsgpackFrame } from "./scanMsgpackFrame.js";

// Maps decode as Map (never as objects), so no key — `__proto__` included — touches a prototype.
// Records are off, and extension types never reach msgpackr: the scan rejects them first.
const unpackr = new Unpackr({ mapsAsObjects: false, useRecords: false });
const info = newFrameInfo();

/**
 * Decodes a chunk of whole msgpack frames. Each frame is a map: `logits` (bin of little-endian `dtype`
 * — "f32" default, "f16", "bf16" — or an array of numbers), and optionally `vocab`, `rows` (a batch
 * frame of rows × vocab), `id` (every row of the frame), `ids` (one per row), `target` (single-row
 * frame) or `targets` (one per row; null = none), `params`. Other keys are ignored. A frame may also be
 * a bare array of numbers or a bare bin (little-endian f32): one row, as a bare NDJSON array is. (Format
 * detection looks for a map, so a stream that starts with a bare frame needs `format: "msgpack"`.)
 */
export function decodeMsgpackChunk(chunk: ByteChunk, opts: DecodeOptions = {}): DecodedChunk {
  const b = chunk.bytes;
  const skip = chunk.onError === "skip";
  const maxVocab = chunk.maxVocab ?? DEFAULTS.maxVocab;
  const builder = new BatchBuilder(chunk.firstRow, chunk.rows, chunk.vocab, maxVocab, opts.data, opts.ragged);
  let pos = 0;
  let local = 0;
  let frame = chunk.firstFrame;
  while (pos < b.length) {
    const where = { frame, byteOffset: chunk.byteOffset + pos };
    let end: number;
    try {
      end = scanMsgpackFrame(b, pos, b.length, b.length - pos, info);
    } catch (e) {
      if (e instanceof MsgpackScanError) {
        const error = new WireError("E_WIRE_SYNTAX", `frame ${frame}: ${e.problem}`, where);
        return { batch: builder.finish(local), error };
      }
      throw e;
    }
    if (end === NEED_MORE) {
      const error = new WireError(
        "E_WIRE_TRUNCATED",
        `frame ${frame} is cut short: the chunk ends inside it`,
        where,
      );
      return { batch: builder.finish(local), error };
    }
    const rows = frameRows(info);
    if (local + rows > chunk.rows) {
      const error = new WireError(
        "E_WIRE_FORMAT",
        `chunk holds more rows than its declared ${chunk.rows}`,
        where,
      );
      return { batch: builder.finish(local), error };
    }
    try {
      if (info.problem !== "") throw new WireError("E_WIRE_FIELD", `frame ${frame}: ${info.problem}`, where);
      decodeFrame(unpackr.unpack(b.subarray(pos, end)), rows, builder, local, where);
    } catch (e) {
      // msgpackr errors on bytes the scan accepted should not happen; report them as syntax errors.
      const error =
        e instanceof WireError
          ? e
          : new WireError("E_WIRE_SYNTAX", `frame ${frame}: ${(e as Error).message}`, where, { cause: e });
      if (!skip) return { batch: builder.finish(local), error };
      for (let r = 0; r < rows; r++) builder.fail(local + r, error);
    }
    local += rows;
    frame++;
    pos = end;
  }
  if (local !== chunk.rows) {
    const error = new WireError("E_WIRE_FORMAT", `chunk declares ${chunk.rows} rows but holds ${local}`, {
      frame,
      byteOffset: chunk.byteOffset + pos,
    });
    return { batch: builder.finish(local), error };
  }
  return { batch: builder.finish() };
}

function decodeFrame(
  value: unknown,
  rows: number,
  builder: BatchBuilder,
  local: number,
  where: { frame: number; byteOffset: number },
): void {
  // A bare array of numbers or a bare bin (little-endian f32) is one row, as a bare NDJSON array is.
  if (Array.isArray(value) || value instanceof Uint8Array) value = new Map([["logits", value]]);
  if (!(value instanceof Map)) {
    throw new WireError(
      "E_WIRE_FIELD",
      `frame ${where.frame}: a frame must be a map, an array of numbers or a bin`,
      where,
    );
  }
  const f = where.frame;
  const logits = value.get("logits");
  const dtypeField = value.get("dtype");
  const row0 = builder.firstRow + local;
  let elems: number;
  let dtype: Dtype = "f32";
  if (logits instanceof Uint8Array) {
    if (dtypeField !== undefined && dtypeField !== "f32" && dtypeField !== "f16" && dtypeField !== "bf16") {
      throw new WireError(
        "E_WIRE_DTYPE",
        `frame ${f}: dtype ${JSON.stringify(String(dtypeField).slice(0, 32))} is not supported; use "f32", "f16" or "bf16"`,
        where,
      );
    }
    if (dtypeField !== undefined) dtype = dtypeField;
    const bpe = DTYPE_BYTES[dtype];
    if (logits.length % bpe !== 0) {
      throw new WireError(
        "E_WIRE_FIELD",
        `frame ${f}: logits holds ${logits.length} bytes, not a whole number of ${dtype} elements`,
        where,
      );
    }
    elems = logits.length / bpe;
  } else if (Array.isArray(logits)) {
    elems = logits.length;
  } else {
    throw new WireError(
      "E_WIRE_FIELD",
      `frame ${f}: "logits" must be a bin (little-endian ${'"f32"'}/f16/bf16) or an array of numbers`,
      where,
    );
  }
  const rowsField = value.get("rows");
  const vocabField = value.get("vocab");
  for (const [name, v] of [
    ["rows", rowsField],
    ["vocab", vocabField],
  ] as const) {
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 1)) {
      throw new WireError("E_WIRE_FIELD", `frame ${f}: "${name}" must be a positive integer`, where);
    }
  }
  const vocab = elems / rows;
  if (
    elems === 0 ||
    (rowsField !== undefined && rowsField !== rows) ||
    (vocabField !== undefined && vocabField !== vocab) ||
    !Number.isInteger(vocab)
  ) {
    throw new WireError(
      "E_WIRE_FIELD",
      `frame ${f}: logits holds ${elems} elements, which does not match rows ${String(rowsField ?? "(absent)")} × vocab ${String(vocabField ?? "(absent)")}`,
      where,
    );
  }
  const o = builder.place(local, vocab, where, row0, rows);
  const out = builder.out();
  if (logits instanceof Uint8Array) decodeElements(logits, 0, elems, dtype, out, o);
  else {
    for (let i = 0; i < elems; i++) {
      const x = logits[i];
      if (typeof x !== "number") {
        throw new WireError(
          "E_WIRE_FIELD",
          `frame ${f}: logits[${i}] is ${x === null ? "nil" : typeof x}; logits must be numbers`,
          where,
        );
      }
      out[o + i] = x;
    }
  }
  const target = value.get("target");
  const targets = value.get("targets");
  if (target !== undefined) {
    if (rows !== 1)
      throw new WireError("E_WIRE_FIELD", `frame ${f}: a batch frame gives "targets", not "target"`, where);
    const t = checkTarget(target, vocab, row0, where);
    if (t >= 0) builder.setTarget(local, t);
  }
  if (targets !== undefined) {
    if (!Array.isArray(targets) || targets.length !== rows) {
      throw new WireError(
        "E_WIRE_FIELD",
        `frame ${f}: "targets" must be an array of ${rows} token ids or nils`,
        where,
      );
    }
    for (let r = 0; r < rows; r++) {
      const t = checkTarget(targets[r], vocab, row0 + r, where);
      if (t >= 0) builder.setTarget(local + r, t);
    }
  }
  const ids = value.get("ids");
  // The scan already bounds nesting (MAX_DEPTH); ids get the same limit as NDJSON's all the same.
  for (const [key, v] of [
    ["ids", ids],
    ["id", value.get("id")],
  ] as const) {
    if (valueDepth(v) > MAX_ID_DEPTH) {
      throw new WireError(
        "E_WIRE_FIELD",
        `frame ${f}: "${key}" nests arrays/maps deeper than ${MAX_ID_DEPTH} levels; an id must be a shallow value`,
        where,
      );
    }
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length !== rows) {
      throw new WireError("E_WIRE_FIELD", `frame ${f}: "ids" must be an array of ${rows} ids`, where);
    }
    for (let r = 0; r < rows; r++) builder.setId(local + r, toPlain(ids[r]));
  } else if (value.has("id")) {
    const id = toPlain(value.get("id"));
    for (let r = 0; r < rows; r++) builder.setId(local + r, id);
  }
  const params = value.get("params");
  if (params !== undefined && params !== null) {
    const p = validateFrameParams(params, where);
    for (let r = 0; r < rows; r++) builder.setParams(local + r, p);
  }
}

/**
 * Turns decoded msgpack (Maps) into plain JSON-like values for ids. Keys are defined as own data
 * properties, so a `__proto__` key is just a key.
 */
function toPlain(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) {
      Object.defineProperty(o, String(k), {
        value: toPlain(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}
