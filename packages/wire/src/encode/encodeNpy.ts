import { encodeElements } from "../binary/encodeElements.js";
import type { BatchLike } from "./batchLike.js";
import { concatBytes } from "./batchLike.js";

const NPY_DESCR = { f32: "<f4", f16: "<f2", f64: "<f8" } as const;

/**
 * The .npy version 1.0 header for C-order little-endian `dtype` data of `shape`: magic, version,
 * length, and the dict padded with spaces and a newline so the data starts at a multiple of 64.
 */
export function encodeNpyHeader(shape: readonly number[], dtype: "f32" | "f16" | "f64"): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict}${" ".repeat(total - 10 - dict.length - 1)}\n`;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length & 0xff, dict.length >>> 8]);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** Encodes rows as a .npy file of shape `[rows, vocab]` (or `shape`, whose last entry must be vocab). */
export function encodeNpy(
  batch: BatchLike,
  dtype: "f32" | "f16" | "f64" = "f32",
  shape?: readonly number[],
): Uint8Array {
  const header = encodeNpyHeader(shape ?? [batch.rows, batch.vocab], dtype);
  return concatBytes([header, encodeElements(batch.data, 0, batch.rows * batch.vocab, dtype)]);
}
