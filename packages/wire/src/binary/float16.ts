/**
 * IEEE 754 binary16 ↔ number, exact. Decoding goes through a 65,536-entry table (256 KiB, built on
 * first use): one indexed load per element, and every binary16 value — subnormals, ±0, ±Infinity,
 * NaN — is exactly representable in float32, so the table is exact by construction.
 */

let table: Float32Array | undefined;

/** The value of binary16 bit pattern `h` (0..65535), computed from the definition. */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // subnormal (and ±0)
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** The 65,536-entry decoding table (shared; do not write to it). */
export function float16Table(): Float32Array {
  if (table !== undefined) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16BitsToNumber(h);
  table = t;
  return t;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The binary16 bit pattern nearest to `x` rounded to float32 first (round to nearest, ties to even;
 * overflow → ±Infinity; NaN → 0x7E00 with the sign kept).
 */
export function numberToFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 : sign | 0x7c00;
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is a binary16 subnormal (or 0): value / 2^-24, rounded half to even.
    const shift = 126 - exp; // ≥ 14
    if (shift > 24) return sign;
    const m = mant | 0x800000;
    let q = m >>> shift;
    const r = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (r > half || (r === half && (q & 1) === 1)) q++;
    return sign | q; // q may reach 0x400, which is exactly the smallest normal
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const r = mant & 0x1fff;
  if (r > 0x1000 || (r === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is correct rounding (to Infinity at the top)
  return h;
}
