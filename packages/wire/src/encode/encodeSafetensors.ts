import { encodeElements } from "../binary/encodeElements.js";
import type { Dtype } from "../frames.js";
import type { BatchLike } from "./batchLike.js";
import { concatBytes } from "./batchLike.js";

const ST_DTYPE = { f32: "F32", f16: "F16", bf16: "BF16", f64: "F64" } as const;

/** One tensor to write: its rows and element type, and optionally a shape [..., vocab]. */
export interface SafetensorsEntry {
  batch: BatchLike;
  dtype?: Dtype;
  shape?: readonly number[];
}

/**
 * The safetensors header (8-byte length + JSON, padded with spaces to a multiple of 8) for tensors
 * laid out one after the other in the given order.
 */
export function encodeSafetensorsHeader(
  tensors: Readonly<Record<string, { dtype: Dtype; shape: readonly number[] }>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const h: Record<string, unknown> = {};
  if (metadata !== undefined) h.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    let n = t.dtype === "f64" ? 8 : t.dtype === "f32" ? 4 : 2;
    for (const d of t.shape) n *= d;
    h[name] = { dtype: ST_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(h);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 8);
  return out;
}

/** Encodes one or more named tensors as a safetensors file. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const headerTensors: Record<string, { dtype: Dtype; shape: readonly number[] }> = {};
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = t.dtype ?? "f32";
    headerTensors[name] = { dtype, shape: t.shape ?? [t.batch.rows, t.batch.vocab] };
    parts.push(encodeElements(t.batch.data, 0, t.batch.rows * t.batch.vocab, dtype));
  }
  return concatBytes([encodeSafetensorsHeader(headerTensors, metadata), ...parts]);
}
