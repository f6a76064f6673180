/**
 * bfloat16 ↔ number, exact: a bfloat16 is the top 16 bits of a float32, so decoding is a shift into
 * the float32 bit pattern (no table needed) and encoding rounds the low 16 bits half to even.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The value of bfloat16 bit pattern `h` (0..65535). */
export function bfloat16BitsToNumber(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** The bfloat16 bit pattern nearest to `x` rounded to float32 first (ties to even; NaN stays NaN). */
export function numberToBfloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}
