import { DTYPE_BYTES, type Dtype } from "../frames.js";
import { numberToBfloat16Bits } from "./bfloat16.js";
import { LITTLE_ENDIAN } from "./decodeElements.js";
import { numberToFloat16Bits } from "./float16.js";

/**
 * Encodes `count` values of `data` from `offset` as little-endian `dtype` into `out` at byte `outOffset`
 * (allocating `out` when omitted). f16/bf16 round to nearest, ties to even.
 */
export function encodeElements(
  data: ArrayLike<number>,
  offset: number,
  count: number,
  dtype: Dtype,
  out?: Uint8Array,
  outOffset = 0,
): Uint8Array {
  const size = count * DTYPE_BYTES[dtype];
  const target = out ?? new Uint8Array(size);
  const dv = new DataView(target.buffer, target.byteOffset + outOffset, size);
  if (dtype === "f32") {
    if (LITTLE_ENDIAN && data instanceof Float32Array) {
      target.set(new Uint8Array(data.buffer, data.byteOffset + offset * 4, size), outOffset);
    } else for (let i = 0; i < count; i++) dv.setFloat32(i * 4, data[offset + i]!, true);
  } else if (dtype === "f64") {
    for (let i = 0; i < count; i++) dv.setFloat64(i * 8, data[offset + i]!, true);
  } else if (LITTLE_ENDIAN && (target.byteOffset + outOffset) % 2 === 0) {
    // Aligned little-endian output: write 16-bit patterns directly (much faster than DataView calls).
    const o16 = new Uint16Array(target.buffer, target.byteOffset + outOffset, count);
    if (dtype === "f16") for (let i = 0; i < count; i++) o16[i] = numberToFloat16Bits(data[offset + i]!);
    else for (let i = 0; i < count; i++) o16[i] = numberToBfloat16Bits(data[offset + i]!);
  } else if (dtype === "f16") {
    for (let i = 0; i < count; i++) dv.setUint16(i * 2, numberToFloat16Bits(data[offset + i]!), true);
  } else {
    for (let i = 0; i < count; i++) dv.setUint16(i * 2, numberToBfloat16Bits(data[offset + i]!), true);
  }
  return target;
}
