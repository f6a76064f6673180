import { WireError } from "../errors.js";
import type { Dtype } from "../frames.js";

/** What a .npy header says, checked. */
export interface NpyHeader {
  /** Bytes before the data (magic + version + length field + header). */
  dataOffset: number;
  dtype: Dtype;
  shape: number[];
  rows: number;
  vocab: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when `b` starts with the .npy magic string. */
export function isNpyMagic(b: Uint8Array): boolean {
  if (b.length < 6) return false;
  for (let i = 0; i < 6; i++) if (b[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Bytes needed to know the header length: the preamble (10 bytes for version 1, 12 for 2 and 3).
 * Returns the full header size once the preamble is present, or -1 when more bytes are needed.
 */
export function npyHeaderSize(b: Uint8Array, maxHeaderBytes: number): number {
  if (b.length < 8) return -1;
  if (!isNpyMagic(b))
    throw new WireError("E_WIRE_HEADER", "not a .npy file: the magic string \\x93NUMPY is missing", {
      frame: -1,
      byteOffset: 0,
    });
  const major = b[6]!;
  if (major < 1 || major > 3) {
    throw new WireError(
      "E_WIRE_HEADER",
      `.npy format version ${major}.${b[7]} is not supported (1.0–3.0 are)`,
      { frame: -1, byteOffset: 6 },
    );
  }
  const pre = major === 1 ? 10 : 12;
  if (b.length < pre) return -1;
  const len = major === 1 ? b[8]! | (b[9]! << 8) : (b[8]! | (b[9]! << 8) | (b[10]! << 16)) + b[11]! * 2 ** 24;
  if (len > maxHeaderBytes) {
    throw new WireError(
      "E_WIRE_LIMIT",
      `.npy header claims ${len} bytes, more than maxHeaderBytes (${maxHeaderBytes})`,
      { frame: -1, byteOffset: 8 },
    );
  }
  return pre + len;
}

/**
 * Parses the header dict — a Python literal such as `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 128256), }` — with a tiny tokenizer (never an evaluator), and checks it describes
 * little-endian float rows in C order with shape [..., V].
 */
export function parseNpyHeader(b: Uint8Array, maxVocab: number): NpyHeader {
  const size = npyHeaderSize(b, Number.MAX_SAFE_INTEGER);
  const pre = b[6] === 1 ? 10 : 12;
  const text = new TextDecoder("latin1").decode(b.subarray(pre, size));
  const at = { frame: -1, byteOffset: pre };
  const bad = (why: string): WireError => new WireError("E_WIRE_HEADER", `.npy header: ${why}`, at);
  const dict = parsePyDict(text, bad);
  const descr = dict.get("descr");
  const fortran = dict.get("fortran_order");
  const shape = dict.get("shape");
  const dtypes: Record<string, Dtype> = { "<f4": "f32", "<f2": "f16", "<f8": "f64" };
  if (typeof descr !== "string" || !(descr in dtypes)) {
    throw new WireError(
      "E_WIRE_DTYPE",
      `.npy dtype ${JSON.stringify(String(descr))} is not supported; save as little-endian float32/float16/float64 (arr.astype("<f4"))`,
      at,
    );
  }
  if (!Array.isArray(shape) || shape.length === 0) throw bad("shape must be a non-empty tuple [..., V]");
  let rows = 1;
  for (const d of shape) {
    if (typeof d !== "number") throw bad("shape entries must be integers");
    rows *= d;
  }
  const vocab = shape[shape.length - 1] as number;
  rows = vocab === 0 ? 0 : rows / vocab;
  if (vocab < 1) throw bad(`the last dimension (the vocabulary) is ${vocab}; it must be at least 1`);
  if (vocab > maxVocab) {
    throw new WireError("E_WIRE_LIMIT", `.npy vocabulary ${vocab} exceeds maxVocab (${maxVocab})`, at);
  }
  if (!Number.isSafeInteger(rows * vocab)) throw bad(`shape (${shape.join(", ")}) is absurdly large`);
  if (fortran !== false && !(fortran === true && rows <= 1)) {
    throw bad("fortran_order must be False (C order); save with np.ascontiguousarray(arr)");
  }
  return { dataOffset: size, dtype: dtypes[descr]!, shape: shape as number[], rows, vocab };
}

type PyValue = string | number | boolean | null | PyValue[];

function parsePyDict(text: string, bad: (why: string) => WireError): Map<string, PyValue> {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (depth: number): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw bad("unterminated string");
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === "(" || c === "[") {
      if (depth > 2) throw bad("nesting too deep");
      const close = c === "(" ? ")" : "]";
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return items;
        }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== close) throw bad(`expected "," or "${close}" at character ${i}`);
      }
    }
    const m = /^(True|False|None|[0-9]{1,16})/.exec(text.slice(i, i + 17));
    if (m === null) throw bad(`unexpected ${JSON.stringify(text.slice(i, i + 12))}`);
    i += m[0].length;
    if (m[0] === "True") return true;
    if (m[0] === "False") return false;
    if (m[0] === "None") return null;
    return Number(m[0]);
  };
  ws();
  if (text[i] !== "{") throw bad('expected "{"');
  i++;
  const out = new Map<string, PyValue>();
  for (;;) {
    ws();
    if (text[i] === "}") break;
    const k = value(0);
    if (typeof k !== "string") throw bad("keys must be strings");
    ws();
    if (text[i] !== ":") throw bad(`expected ":" after '${k}'`);
    i++;
    out.set(k, value(0));
    ws();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw bad(`expected "," or "}" at character ${i}`);
    if (out.size > 16) throw bad("too many keys");
  }
  return out;
}
