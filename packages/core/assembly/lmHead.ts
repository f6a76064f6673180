// The LM-head kernel (WebAssembly SIMD): logits[p][r] = Σ_i hidden[p][i] · W[r][i] for a block of
// hidden vectors and a window of W's rows (row-major, float32 / float16 / bfloat16), each W row read
// once for the whole block. Mirrored operation for operation by src/kernels/lmHeadFallback.ts.
//
// Summation order (fixed; the fallback and any split of V give the same bits): both vectors are
// zero-padded to a multiple of 8; lane j (0..7) accumulates, in float32 and in increasing i, the
// float32 products h[i]·w[i] of the i ≡ j (mod 8); padded lanes add +0. Then v_j = lane_j + lane_{j+4}
// (j < 4) and the logit is (v0 + v1) + (v2 + v3). Every logit depends only on its own row of W and
// the hidden vector, so how the vocabulary is split into windows or slices never changes a bit.
//
// Memory: hidden vectors at `h`, `hs` floats apart (hs ≥ d rounded up to 8, zero-padded); W's rows at
// `w`, d elements apart (no padding; the window has 32 spare bytes after its last row, as the tail
// loads read whole vectors and mask the lanes past d).

/** dtype codes: 0 float32, 1 float16, 2 bfloat16. */

// @ts-ignore: decorator
@inline
function f16ToF32(h: v128): v128 {
  // (magnitude << 13) read as float32 is value / 2^112 for normals and subnormals alike; exact
  // after * 2^112. The all-ones exponent becomes Inf/NaN; the sign bit moves to bit 31.
  const m = v128.and(h, i32x4.splat(0x7fff));
  let f = f32x4.mul(i32x4.shl(m, 13), f32x4.splat(5.192296858534828e33));
  const e = i32x4.splat(0x7c00);
  f = v128.or(f, v128.and(i32x4.eq(v128.and(h, e), e), i32x4.splat(0x7f800000)));
  return v128.or(f, i32x4.shl(v128.xor(h, m), 16));
}

/** Four weights from element i of the row at w (elements i .. i + 3), as float32. */
// @ts-ignore: decorator
@inline
function load4(dtype: i32, w: usize, i: i32): v128 {
  if (dtype == 0) return v128.load(w + (<usize>i << 2));
  if (dtype == 2) return i32x4.shl(v128.load16x4_u(w + (<usize>i << 1)), 16);
  return f16ToF32(v128.load16x4_u(w + (<usize>i << 1)));
}

// @ts-ignore: decorator
@inline
function reduce(a: v128, b: v128): f32 {
  const v = f32x4.add(a, b);
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** Lane masks for a tail of t elements (t in 1..7): lanes < t kept. */
// @ts-ignore: decorator
@inline
function maskLo(t: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(t));
}
// @ts-ignore: decorator
@inline
function maskHi(t: i32): v128 {
  return i32x4.lt_s(i32x4(4, 5, 6, 7), i32x4.splat(t));
}

// @ts-ignore: decorator
@inline
function rowsImpl(
  dtype: i32,
  h: usize,
  hs: i32,
  count: i32,
  d: i32,
  w: usize,
  rows: i32,
  out: usize,
  os: i32,
): void {
  const esz: usize = dtype == 0 ? 4 : 2;
  const d8 = d & ~7;
  const t = d - d8;
  const mLo = maskLo(t);
  const mHi = maskHi(t);
  const hsb = <usize>hs << 2;
  for (let r: i32 = 0; r < rows; r++) {
    const wr = w + <usize>r * <usize>d * esz;
    let p: i32 = 0;
    // Four hidden vectors per pass over the row: the row is loaded once for the four.
    for (; p + 4 <= count; p += 4) {
      const h0 = h + <usize>p * hsb;
      const h1 = h0 + hsb;
      const h2 = h1 + hsb;
      const h3 = h2 + hsb;
      let a0 = f32x4.splat(0);
      let b0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let b2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let b3 = f32x4.splat(0);
      let i: i32 = 0;
      for (; i < d8; i += 8) {
        const wl = load4(dtype, wr, i);
        const wh = load4(dtype, wr, i + 4);
        const o = <usize>i << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(h0 + o), wl));
        b0 = f32x4.add(b0, f32x4.mul(v128.load(h0 + o, 16), wh));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(h1 + o), wl));
        b1 = f32x4.add(b1, f32x4.mul(v128.load(h1 + o, 16), wh));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(h2 + o), wl));
        b2 = f32x4.add(b2, f32x4.mul(v128.load(h2 + o, 16), wh));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(h3 + o), wl));
        b3 = f32x4.add(b3, f32x4.mul(v128.load(h3 + o, 16), wh));
      }
      if (t != 0) {
        const wl = v128.and(load4(dtype, wr, i), mLo);
        const wh = v128.and(load4(dtype, wr, i + 4), mHi);
        const o = <usize>i << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(h0 + o), wl));
        b0 = f32x4.add(b0, f32x4.mul(v128.load(h0 + o, 16), wh));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(h1 + o), wl));
        b1 = f32x4.add(b1, f32x4.mul(v128.load(h1 + o, 16), wh));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(h2 + o), wl));
        b2 = f32x4.add(b2, f32x4.mul(v128.load(h2 + o, 16), wh));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(h3 + o), wl));
        b3 = f32x4.add(b3, f32x4.mul(v128.load(h3 + o, 16), wh));
      }
      const ob = out + (<usize>r << 2);
      store<f32>(ob + <usize>p * (<usize>os << 2), reduce(a0, b0));
      store<f32>(ob + <usize>(p + 1) * (<usize>os << 2), reduce(a1, b1));
      store<f32>(ob + <usize>(p + 2) * (<usize>os << 2), reduce(a2, b2));
      store<f32>(ob + <usize>(p + 3) * (<usize>os << 2), reduce(a3, b3));
    }
    for (; p < count; p++) {
      const h0 = h + <usize>p * hsb;
      let a0 = f32x4.splat(0);
      let b0 = f32x4.splat(0);
      let i: i32 = 0;
      for (; i < d8; i += 8) {
        const o = <usize>i << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(h0 + o), load4(dtype, wr, i)));
        b0 = f32x4.add(b0, f32x4.mul(v128.load(h0 + o, 16), load4(dtype, wr, i + 4)));
      }
      if (t != 0) {
        const o = <usize>i << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(h0 + o), v128.and(load4(dtype, wr, i), mLo)));
        b0 = f32x4.add(b0, f32x4.mul(v128.load(h0 + o, 16), v128.and(load4(dtype, wr, i + 4), mHi)));
      }
      store<f32>(out + (<usize>r << 2) + <usize>p * (<usize>os << 2), reduce(a0, b0));
    }
  }
}

/**
 * logits for `rows` rows of W (at `w`, dtype 0 f32 / 1 f16 / 2 bf16) and `count` hidden vectors (at
 * `h`, `hs` floats apart): out[p · os + r] (float32).
 */
export function lmHeadRows(
  dtype: i32,
  h: usize,
  hs: i32,
  count: i32,
  d: i32,
  w: usize,
  rows: i32,
  out: usize,
  os: i32,
): void {
  if (dtype == 0) rowsImpl(0, h, hs, count, d, w, rows, out, os);
  else if (dtype == 1) rowsImpl(1, h, hs, count, d, w, rows, out, os);
  else rowsImpl(2, h, hs, count, d, w, rows, out, os);
}

/** Start of free memory after the module's own data. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}
