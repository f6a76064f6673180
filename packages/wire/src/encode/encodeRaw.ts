import { encodeElements } from "../binary/encodeElements.js";
import type { BatchLike } from "./batchLike.js";

/** Encodes rows as contiguous little-endian `dtype` values, no header (read back with `format: dtype, vocab`). */
export function encodeRaw(batch: BatchLike, dtype: "f32" | "f16" | "bf16"): Uint8Array {
  return encodeElements(batch.data, 0, batch.rows * batch.vocab, dtype);
}
