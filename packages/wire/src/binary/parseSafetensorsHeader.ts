import { WireError } from "../errors.js";
import type { Dtype } from "../frames.js";

/** The chosen tensor of a safetensors file, checked. */
export interface SafetensorsTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  rows: number;
  vocab: number;
  /** Absolute offsets of the tensor's bytes in the file. */
  begin: number;
  end: number;
}

/**
 * Reads the 8-byte little-endian header length. Returns -1 when fewer than 8 bytes are present.
 * The length is checked against `maxHeaderBytes` before anything waits for or allocates the header.
 */
export function safetensorsHeaderSize(b: Uint8Array, maxHeaderBytes: number): number {
  if (b.length < 8) return -1;
  const lo = (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 2 ** 24;
  const hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16)) + b[7]! * 2 ** 24;
  const len = hi * 2 ** 32 + lo;
  if (hi !== 0 || len > maxHeaderBytes) {
    throw new WireError(
      "E_WIRE_LIMIT",
      `safetensors header claims ${hi === 0 ? len : `${hi} × 2^32 + ${lo}`} bytes, more than maxHeaderBytes (${maxHeaderBytes})`,
      { frame: -1, byteOffset: 0 },
    );
  }
  if (len < 2)
    throw new WireError("E_WIRE_HEADER", 'safetensors header length must be at least 2 ("{}")', {
      frame: -1,
      byteOffset: 0,
    });
  return 8 + len;
}

/**
 * Parses the JSON header (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?}`)
 * and picks the tensor `name` (or the only tensor). Checks dtype, shape [..., V] and that the offsets
 * span exactly shape × element size.
 */
export function parseSafetensorsHeader(
  b: Uint8Array,
  tensor: string | undefined,
  maxVocab: number,
): SafetensorsTensor {
  const size = safetensorsHeaderSize(b, Number.MAX_SAFE_INTEGER);
  const at = { frame: -1, byteOffset: 8 };
  const bad = (why: string): WireError => new WireError("E_WIRE_HEADER", `safetensors header: ${why}`, at);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(8, size)));
  } catch (cause) {
    throw new WireError(
      "E_WIRE_HEADER",
      `safetensors header is not valid JSON: ${(cause as Error).message}`,
      at,
      { cause },
    );
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw bad("must be a JSON object");
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  let name = tensor;
  if (name === undefined) {
    if (names.length === 0) throw bad("the file holds no tensor");
    if (names.length !== 1) {
      throw new WireError(
        "E_WIRE_TENSOR",
        `safetensors file holds ${names.length} tensors; choose one with --tensor NAME (${names
          .slice(0, 8)
          .map((n) => JSON.stringify(n))
          .join(", ")}${names.length > 8 ? ", …" : ""})`,
        at,
      );
    }
    name = names[0]!;
  }
  if (name === "__metadata__" || !Object.hasOwn(header, name)) {
    throw new WireError(
      "E_WIRE_TENSOR",
      `safetensors file has no tensor ${JSON.stringify(name)}; it has ${names
        .slice(0, 8)
        .map((n) => JSON.stringify(n))
        .join(", ")}${names.length > 8 ? ", …" : ""}`,
      at,
    );
  }
  const t = (header as Record<string, unknown>)[name];
  if (t === null || typeof t !== "object") throw bad(`tensor ${JSON.stringify(name)} must be an object`);
  const {
    dtype,
    shape,
    data_offsets: offsets,
  } = t as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtypes: Record<string, Dtype> = { F32: "f32", F16: "f16", BF16: "bf16", F64: "f64" };
  if (typeof dtype !== "string" || !Object.hasOwn(dtypes, dtype)) {
    throw new WireError(
      "E_WIRE_DTYPE",
      `safetensors tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(String(dtype))}; F32, F16, BF16 (or F64) are supported`,
      at,
    );
  }
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    shape.length > 8 ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw bad(`tensor ${JSON.stringify(name)}: shape must be 1 to 8 non-negative integers [..., V]`);
  }
  const vocab = shape[shape.length - 1] as number;
  if (vocab < 1)
    throw bad(`tensor ${JSON.stringify(name)}: the last dimension (the vocabulary) must be at least 1`);
  if (vocab > maxVocab)
    throw new WireError("E_WIRE_LIMIT", `safetensors vocabulary ${vocab} exceeds maxVocab (${maxVocab})`, at);
  let elems = 1;
  for (const d of shape as number[]) elems *= d;
  if (!Number.isSafeInteger(elems * 8)) throw bad(`tensor ${JSON.stringify(name)}: shape is absurdly large`);
  const bpe = dtype === "F64" ? 8 : dtype === "F32" ? 4 : 2;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] - offsets[0] !== elems * bpe
  ) {
    throw bad(
      `tensor ${JSON.stringify(name)}: data_offsets must be [begin, end] spanning ${elems * bpe} bytes`,
    );
  }
  return {
    name,
    dtype: dtypes[dtype]!,
    shape: shape as number[],
    rows: elems / vocab,
    vocab,
    begin: size + (offsets[0] as number),
    end: size + (offsets[1] as number),
  };
}
