import { DTYPE_BYTES, type Dtype } from "../frames.js";
import { float16Table } from "./float16.js";

/** True on little-endian hosts (every platform Node supports today); the fast paths rely on it. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` little-endian elements of `dtype` from `bytes` (starting at `offset`) into `out`
 * at `outOffset`, exactly. When the source is 4-byte aligned, f32 is one `Float32Array.set` (memcpy);
 * f16 is a table lookup; bf16 a shift into the float32 bit pattern; f64 a `Math.fround` per element.
 */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: Dtype,
  out: Float32Array,
  outOffset: number,
): void {
  const abs = bytes.byteOffset + offset;
  if (!LITTLE_ENDIAN) {
    decodeWithDataView(bytes, offset, count, dtype, out, outOffset);
    return;
  }
  if (dtype === "f32") {
    if (abs % 4 === 0) out.set(new Float32Array(bytes.buffer, abs, count), outOffset);
    // Unaligned (a msgpack bin usually is): copy the bytes straight into the output, no temporary.
    else
      new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, count * 4).set(
        bytes.subarray(offset, offset + count * 4),
      );
    return;
  }
  if (dtype === "f64") {
    const src =
      abs % 8 === 0
        ? new Float64Array(bytes.buffer, abs, count)
        : new Float64Array(bytes.slice(offset, offset + count * 8).buffer);
    for (let i = 0; i < count; i++) out[outOffset + i] = src[i]!; // Float32Array stores round to nearest, like Math.fround
    return;
  }
  const src =
    abs % 2 === 0
      ? new Uint16Array(bytes.buffer, abs, count)
      : new Uint16Array(bytes.slice(offset, offset + count * 2).buffer);
  if (dtype === "f16") {
    const t = float16Table();
    for (let i = 0; i < count; i++) out[outOffset + i] = t[src[i]!]!;
    return;
  }
  // bf16: write bit patterns through a Uint32 view of `out`, so NaN payloads survive bit-exactly.
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < count; i++) o32[outOffset + i] = src[i]! << 16;
}

function decodeWithDataView(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: Dtype,
  out: Float32Array,
  outOffset: number,
): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * DTYPE_BYTES[dtype]);
  const t = dtype === "f16" ? float16Table() : undefined;
  for (let i = 0; i < count; i++) {
    if (dtype === "f32") out[outOffset + i] = dv.getFloat32(i * 4, true);
    else if (dtype === "f64") out[outOffset + i] = dv.getFloat64(i * 8, true);
    else if (t !== undefined) out[outOffset + i] = t[dv.getUint16(i * 2, true)]!;
    else {
      const b = new DataView(new ArrayBuffer(4));
      b.setUint32(0, dv.getUint16(i * 2, true) << 16);
      out[outOffset + i] = b.getFloat32(0);
    }
  }
}
