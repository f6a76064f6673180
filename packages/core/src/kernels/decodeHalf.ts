import { InvalidParamsError } from "../errors.js";
import { decodeHalfKernel } from "./dispatch.js";

/**
 * Decodes little-endian float16 or bfloat16 values into float32, exactly (every value, including
 * subnormals, ±0, ±Infinity and NaN payloads), with the WebAssembly SIMD kernel where available.
 *
 * @param bytes - The encoded values; `bytes[byteOffset ..]` holds `length` × 2 bytes (any alignment).
 * @param byteOffset - Byte index of the first value.
 * @param length - Number of values.
 * @param dtype - `"f16"` (IEEE binary16) or `"bf16"` (bfloat16).
 * @param out - Receives `length` float32 values from `outOffset`.
 * @param outOffset - Index in `out` of the first value (default 0).
 * @throws {InvalidParamsError} when a window lies outside its buffer.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * decodeHalf(new Uint8Array([0x00, 0x3c, 0x00, 0xc0]), 0, 2, "f16", out); // out = [1, -2]
 * ```
 */
export function decodeHalf(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  out: Float32Array,
  outOffset = 0,
): void {
  if (!(byteOffset >= 0 && length >= 0 && byteOffset + 2 * length <= bytes.length)) {
    throw new InvalidParamsError(
      "byteOffset",
      `${length} values at byte ${byteOffset} exceed ${bytes.length} bytes`,
    );
  }
  if (!(outOffset >= 0 && outOffset + length <= out.length)) {
    throw new InvalidParamsError(
      "outOffset",
      `${length} values at ${outOffset} exceed the output of ${out.length}`,
    );
  }
  decodeHalfKernel(bytes, byteOffset, length, dtype, out, outOffset);
}
