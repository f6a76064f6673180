// WebAssembly SIMD (f32x4) kernels of @logitstream/core, in AssemblyScript.
//
// Every kernel works on raw byte addresses in this module's linear memory; the loader in
// src/kernels/ copies (or decodes) a row into a scratch area, pads it with -Infinity to a multiple
// of 16 elements (`n16`), calls a kernel, and reads the result. Nothing here allocates.
//
// The plain JavaScript fallback in src/kernels/fallback.ts performs the SAME float32 operations in
// the SAME order (lane by lane, block by block), so both paths give bit-identical results. Any
// change here must be mirrored there; test/kernels.fallback.test.ts compares every bit.
//
// Summation order (expSum, expSumMoment, massGe): 16 elements per iteration as four f32x4 vectors
// a = x[i..i+3], b = x[i+4..i+7], c = x[i+8..i+11], d = x[i+12..i+15]; one f32x4 accumulator,
// acc += (a + b) + (c + d), so lane j sums the elements with i % 4 == j. Within a block of BLOCK
// elements the lanes accumulate in f32; at the block's end its 4 lanes are promoted to f64 and added
// in lane order 0..3 (the block sum, stored); the row total is the f64 sum of block sums in order.
// (docs/PERFORMANCE.md: f32 lanes over a whole 128k row lose ~1e-5.) With BLOCK = 128 each lane adds 8
// four-term groups per block, so a block sum is within 9 float32 roundings (9 · 2^-24 ≈ 5.4e-7
// relative, worst case) of the exact sum of its terms, whatever the data — a block of 1024 allowed
// 66 (~4e-6), and rows of many equal small terms beside one large one came close to it. The extra
// f64 reductions cost ~1 op per element-group of 128.

/** Elements per summation block: 8 iterations of 16 elements. */
const BLOCK: i32 = 128;

// exp(x) constants (see expv).
const L2E: f32 = 1.44269502; // log2(e) rounded to f32
const MAGIC: f32 = 12583039.0; // 1.5 * 2^23 + 127: round-to-integer + exponent bias in one add
const LN2HI: f32 = 0.693359375; // Cody-Waite split of ln 2: 9 significant bits, n * LN2HI exact
const LN2LO: f32 = -2.12194440e-4; // ln 2 - LN2HI
const XMIN: f32 = -88.0; // inputs are clamped here first (-Infinity -> -88 -> exactly 0)
// q(r) ~ (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2], degree 4, fitted for relative error of e^r
// (weighted least squares iterated to equi-ripple: approximation error 3.1e-9 before rounding).
const C0: f32 = 0.49999994;
const C1: f32 = 0.16666521;
const C2: f32 = 0.041668389;
const C3: f32 = 0.0083687110;
const C4: f32 = 0.0013814605;

// The constants live in linear memory and are loaded once per call: written as literals, V8
// rematerializes each v128 constant inside the loop (3 instructions each, ~25% of the loop).
const KT = memory.data<f32>(
  [
    XMIN, XMIN, XMIN, XMIN, L2E, L2E, L2E, L2E, MAGIC, MAGIC, MAGIC, MAGIC, LN2HI, LN2HI, LN2HI, LN2HI,
    LN2LO, LN2LO, LN2LO, LN2LO, C4, C4, C4, C4, C3, C3, C3, C3, C2, C2, C2, C2,
    C1, C1, C1, C1, C0, C0, C0, C0, 1.0, 1.0, 1.0, 1.0,
  ],
  16,
);

/**
 * e^x for four f32 lanes; k* are the splatted constants of KT.
 *
 * Method: x is clamped to >= -88 (pmax); n = round(x * log2 e) by adding MAGIC (the float's low
 * mantissa bits then hold n + 127); r = x - n ln2 with the Cody-Waite split (n * LN2HI is exact);
 * e^r = 1 + r + r^2 q(r) with q of degree 4 (Horner); 2^n is the float whose bits are
 * (bits(t) << 23) — no float-to-int conversion. For x below about -87.68, n = -127, the bits of 2^n
 * are 0 and the result is exactly +0 (so -Infinity gives exactly 0).
 * Error (every 7th float32 in [-87.3365, 0] against float64 Math.exp, and the tests): < 1 ulp
 * (max 0.96 ulp); for x in (-87.68, -87.3365) the result is subnormal (error < 1 subnormal ulp).
 */
// @ts-expect-error: decorator
@inline function expk(
  x: v128, kxmin: v128, kl2e: v128, kmag: v128, khi: v128, klo: v128,
  k4: v128, k3: v128, k2: v128, k1: v128, k0: v128, kone: v128,
): v128 {
  return expFromClamped(f32x4.pmax(x, kxmin), kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
}

// expk after its clamp, for callers that already hold pmax(x, XMIN) (expSumMoment needs the clamped
// argument for its moment; V8 did not fold the second, identical pmax).
// @ts-expect-error: decorator
@inline function expFromClamped(
  x: v128, kl2e: v128, kmag: v128, khi: v128, klo: v128,
  k4: v128, k3: v128, k2: v128, k1: v128, k0: v128, kone: v128,
): v128 {
  const t = f32x4.add(f32x4.mul(x, kl2e), kmag);
  const n = f32x4.sub(t, kmag);
  let r = f32x4.sub(x, f32x4.mul(n, khi));
  r = f32x4.sub(r, f32x4.mul(n, klo));
  const r2 = f32x4.mul(r, r);
  let q = f32x4.add(f32x4.mul(k4, r), k3);
  q = f32x4.add(f32x4.mul(q, r), k2);
  q = f32x4.add(f32x4.mul(q, r), k1);
  q = f32x4.add(f32x4.mul(q, r), k0);
  const p = f32x4.add(f32x4.add(f32x4.mul(q, r2), r), kone);
  return f32x4.mul(p, i32x4.shl(t, 23));
}

// @ts-expect-error: decorator
@inline function expv(x: v128): v128 {
  return expk(
    x, v128.load(KT), v128.load(KT, 16), v128.load(KT, 32), v128.load(KT, 48), v128.load(KT, 64),
    v128.load(KT, 80), v128.load(KT, 96), v128.load(KT, 112), v128.load(KT, 128), v128.load(KT, 144),
    v128.load(KT, 160),
  );
}

/** exp over `n` floats at `src` (any n) into `dst`; the test hook for the error bound. */
export function expArray(src: usize, n: i32, dst: usize): void {
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, expv(v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    v128.store_lane<f32>(dst + o, expv(f32x4.splat(load<f32>(src + o))), 0);
  }
}

// @ts-expect-error: decorator
@inline function lanesF64(a: v128): f64 {
  return (
    <f64>f32x4.extract_lane(a, 0) +
    <f64>f32x4.extract_lane(a, 1) +
    <f64>f32x4.extract_lane(a, 2) +
    <f64>f32x4.extract_lane(a, 3)
  );
}

/** Number of -Infinity elements seen by the last maxF32 call (padding included). */
let negInfCount: i32 = 0;
export function lastNegInf(): i32 {
  return negInfCount;
}

/**
 * Maximum of n16 floats (n16 % 16 == 0). pmax ignores NaN, so NaN lanes are tracked apart: the
 * result is NaN when any element is NaN. Lanes reduced as pmax(ma, mb), then lanes 0, 1, 2, 3.
 * Also counts the -Infinity elements (read with lastNegInf()).
 */
export function maxF32(p: usize, n16: i32): f32 {
  let ma = f32x4.splat(-Infinity);
  let mb = ma;
  const ninf = ma;
  let nan = i32x4.splat(0);
  let cinf = nan;
  const end = p + (<usize>n16 << 2);
  for (let q = p; q < end; q += 32) {
    const a = v128.load(q);
    const b = v128.load(q, 16);
    ma = f32x4.pmax(ma, a);
    mb = f32x4.pmax(mb, b);
    nan = v128.or(nan, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
    cinf = i32x4.add(cinf, i32x4.add(f32x4.eq(a, ninf), f32x4.eq(b, ninf)));
  }
  negInfCount = -(
    i32x4.extract_lane(cinf, 0) + i32x4.extract_lane(cinf, 1) + i32x4.extract_lane(cinf, 2) + i32x4.extract_lane(cinf, 3)
  );
  if (v128.any_true(nan)) return NaN;
  const m = f32x4.pmax(ma, mb);
  let r = f32x4.extract_lane(m, 0);
  let v = f32x4.extract_lane(m, 1);
  if (r < v) r = v;
  v = f32x4.extract_lane(m, 2);
  if (r < v) r = v;
  v = f32x4.extract_lane(m, 3);
  if (r < v) r = v;
  return r;
}

// The exp-and-sum loop, inlined with constant flags: `scaled` multiplies (x - m) by s and `keep`
// stores e_i at `out`.
// 16 elements per iteration (vectors a, b, c, d); acc += (ea + eb) + (ec + ed).
// @ts-expect-error: decorator
@inline function expLoop(
  p: usize, n16: i32, m: f32, s: f32, out: usize, bs: usize, scaled: bool, keep: bool,
): f64 {
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(s);
  const kxmin = v128.load(KT);
  const kl2e = v128.load(KT, 16);
  const kmag = v128.load(KT, 32);
  const khi = v128.load(KT, 48);
  const klo = v128.load(KT, 64);
  const k4 = v128.load(KT, 80);
  const k3 = v128.load(KT, 96);
  const k2 = v128.load(KT, 112);
  const k1 = v128.load(KT, 128);
  const k0 = v128.load(KT, 144);
  const kone = v128.load(KT, 160);
  let total: f64 = 0;
  for (let start: i32 = 0; start < n16; start += BLOCK) {
    let end = start + BLOCK;
    if (end > n16) end = n16;
    let acc = f32x4.splat(0);
    const qEnd = p + (<usize>end << 2);
    let o = out + (<usize>start << 2);
    for (let q = p + (<usize>start << 2); q < qEnd; q += 64) {
      let da = f32x4.sub(v128.load(q), vm);
      let db = f32x4.sub(v128.load(q, 16), vm);
      let dc = f32x4.sub(v128.load(q, 32), vm);
      let dd = f32x4.sub(v128.load(q, 48), vm);
      if (scaled) {
        da = f32x4.mul(da, vs);
        db = f32x4.mul(db, vs);
        dc = f32x4.mul(dc, vs);
        dd = f32x4.mul(dd, vs);
      }
      const ea = expk(da, kxmin, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const eb = expk(db, kxmin, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const ec = expk(dc, kxmin, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const ed = expk(dd, kxmin, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      if (keep) {
        v128.store(o, ea);
        v128.store(o, eb, 16);
        v128.store(o, ec, 32);
        v128.store(o, ed, 48);
        o += 64;
      }
      acc = f32x4.add(acc, f32x4.add(f32x4.add(ea, eb), f32x4.add(ec, ed)));
    }
    const b = lanesF64(acc);
    store<f64>(bs + (<usize>(start / BLOCK) << 3), b);
    total += b;
  }
  return total;
}

/**
 * e_i = exp((x_i - m) * s) for n16 floats at `p`; returns Σ e_i (f64: f32 lanes within blocks of
 * BLOCK elements, each block's 4 lanes added in f64 in lane order, block sums added in order) and
 * writes each block sum (f64) at `bs`. When `out` != 0 the e_i are stored there (may equal p).
 * s == 1 skips the multiplication (exact either way).
 */
export function expSum(p: usize, n16: i32, m: f32, s: f32, out: usize, bs: usize): f64 {
  if (s == 1) {
    if (out != 0) return expLoop(p, n16, m, s, out, bs, false, true);
    return expLoop(p, n16, m, s, out, bs, false, false);
  }
  if (out != 0) return expLoop(p, n16, m, s, out, bs, true, true);
  return expLoop(p, n16, m, s, out, bs, true, false);
}

/** dst_i = src_i * f over n16 floats (in place allowed): softmax's normalization pass. */
export function scaleF32(src: usize, n16: i32, f: f32, dst: usize): void {
  const vf = f32x4.splat(f);
  const end = src + (<usize>n16 << 2);
  for (let q = src, o = dst; q < end; q += 32, o += 32) {
    v128.store(o, f32x4.mul(v128.load(q), vf));
    v128.store(o, f32x4.mul(v128.load(q, 16), vf), 16);
  }
}

/** Number of elements strictly greater than t (n16 floats; -Infinity padding never counts). */
export function countGt(p: usize, n16: i32, t: f32): i32 {
  const vt = f32x4.splat(t);
  let ca = i32x4.splat(0);
  let cb = ca;
  const end = p + (<usize>n16 << 2);
  for (let q = p; q < end; q += 32) {
    ca = i32x4.sub(ca, f32x4.gt(v128.load(q), vt));
    cb = i32x4.sub(cb, f32x4.gt(v128.load(q, 16), vt));
  }
  const c = i32x4.add(ca, cb);
  return (
    i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3)
  );
}

/** Σ e_i over e_i >= t, same lanes and blocks as expSum (masked lanes add +0): top-p's search. */
export function massGe(p: usize, n16: i32, t: f32): f64 {
  const vt = f32x4.splat(t);
  let total: f64 = 0;
  for (let start: i32 = 0; start < n16; start += BLOCK) {
    let end = start + BLOCK;
    if (end > n16) end = n16;
    let acc = f32x4.splat(0);
    const qEnd = p + (<usize>end << 2);
    for (let q = p + (<usize>start << 2); q < qEnd; q += 64) {
      const a = v128.load(q);
      const b = v128.load(q, 16);
      const c = v128.load(q, 32);
      const d = v128.load(q, 48);
      const ma = v128.and(a, f32x4.ge(a, vt));
      const mb = v128.and(b, f32x4.ge(b, vt));
      const mc = v128.and(c, f32x4.ge(c, vt));
      const md = v128.and(d, f32x4.ge(d, vt));
      acc = f32x4.add(acc, f32x4.add(f32x4.add(ma, mb), f32x4.add(mc, md)));
    }
    total += lanesF64(acc);
  }
  return total;
}

// Lane-compaction patterns for collectRange: entry `mask` (16 bytes) moves the i32 lanes whose bit
// is set in `mask` to the front, in order (i8x16.swizzle byte indices).
const COMPACT = memory.data<u8>(
  [
    0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3,
    8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
    4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
    12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
    4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3,
    8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
    4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  ],
  16,
);

/**
 * Writes the indices i < n with lo <= x_i < hi, ascending, at `idx` (i32); returns how many.
 * Branch-free: each 4-lane compare gives a bitmask; the lane indices are compacted with one swizzle
 * from COMPACT and stored as a whole vector, and the count advances by popcnt(mask). (`idx` needs 3
 * spare slots past the result.) Elements at i >= n (padding) are never written.
 */
export function collectRange(p: usize, n: i32, lo: f32, hi: f32, idx: usize): i32 {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let lanes = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4);
  let c: i32 = 0;
  const n4 = n & ~3;
  for (let i: i32 = 0; i < n4; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const mask = i32x4.bitmask(v128.and(f32x4.ge(v, vlo), f32x4.lt(v, vhi)));
    v128.store(idx + (<usize>c << 2), i8x16.swizzle(lanes, v128.load(COMPACT + (<usize>mask << 4))));
    c += popcnt(mask);
    lanes = i32x4.add(lanes, four);
  }
  for (let i = n4; i < n; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    if (x >= lo && x < hi) {
      store<i32>(idx + (<usize>c << 2), i);
      c++;
    }
  }
  return c;
}

/**
 * Copies the elements x_i > -Infinity of the first n (in order) to `outVal` and their indices to
 * `outIdx`; returns how many. Rows with masked tokens are summed over this compacted sequence, so a
 * masked token changes nothing but its own output (not even the lane a later term falls in).
 * Both outputs need 3 spare slots.
 */
export function compactFinite(p: usize, n: i32, outVal: usize, outIdx: usize): i32 {
  const ninf = f32x4.splat(-Infinity);
  let lanes = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4);
  let c: i32 = 0;
  const n4 = n & ~3;
  for (let i: i32 = 0; i < n4; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const mask = i32x4.bitmask(f32x4.gt(v, ninf));
    const pattern = v128.load(COMPACT + (<usize>mask << 4));
    v128.store(outVal + (<usize>c << 2), i8x16.swizzle(v, pattern));
    v128.store(outIdx + (<usize>c << 2), i8x16.swizzle(lanes, pattern));
    c += popcnt(mask);
    lanes = i32x4.add(lanes, four);
  }
  for (let i = n4; i < n; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    if (x > -Infinity) {
      store<f32>(outVal + (<usize>c << 2), x);
      store<i32>(outIdx + (<usize>c << 2), i);
      c++;
    }
  }
  return c;
}

/** dst[0 .. n) = +0, then dst[idx_j] = src_j for j < m: puts compacted results back in place. */
export function scatterF32(src: usize, idx: usize, m: i32, dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
  for (let j: i32 = 0; j < m; j++) {
    store<f32>(dst + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), load<f32>(src + (<usize>j << 2)));
  }
}

// ---- top-k: bounded heap with a SIMD prefilter ----

// Heap order: the root is the worst kept entry — the lowest value, and among equal values the
// highest index. An entry (v, i) is better than (w, j) when v > w, or v == w and i < j.
// @ts-expect-error: decorator
@inline function worse(v: f32, i: i32, w: f32, j: i32): bool {
  return v < w || (v == w && i > j);
}

function siftDown(hv: usize, hi: usize, size: i32, pos: i32): void {
  const v = load<f32>(hv + (<usize>pos << 2));
  const id = load<i32>(hi + (<usize>pos << 2));
  for (;;) {
    let c = 2 * pos + 1;
    if (c >= size) break;
    let cv = load<f32>(hv + (<usize>c << 2));
    let ci = load<i32>(hi + (<usize>c << 2));
    if (c + 1 < size) {
      const rv = load<f32>(hv + (<usize>(c + 1) << 2));
      const ri = load<i32>(hi + (<usize>(c + 1) << 2));
      if (worse(rv, ri, cv, ci)) {
        c++;
        cv = rv;
        ci = ri;
      }
    }
    if (!worse(cv, ci, v, id)) break;
    store<f32>(hv + (<usize>pos << 2), cv);
    store<i32>(hi + (<usize>pos << 2), ci);
    pos = c;
  }
  store<f32>(hv + (<usize>pos << 2), v);
  store<i32>(hi + (<usize>pos << 2), id);
}

function siftUp(hv: usize, hi: usize, pos: i32): void {
  const v = load<f32>(hv + (<usize>pos << 2));
  const id = load<i32>(hi + (<usize>pos << 2));
  while (pos > 0) {
    const par = (pos - 1) >> 1;
    const pv = load<f32>(hv + (<usize>par << 2));
    const pi = load<i32>(hi + (<usize>par << 2));
    if (!worse(v, id, pv, pi)) break;
    store<f32>(hv + (<usize>pos << 2), pv);
    store<i32>(hi + (<usize>pos << 2), pi);
    pos = par;
  }
  store<f32>(hv + (<usize>pos << 2), v);
  store<i32>(hi + (<usize>pos << 2), id);
}

/**
 * The k highest entries of n floats at `p` (n16 padded with -Infinity), excluding -Infinity and
 * NaN, written sorted (value descending, lower index first on ties) as indices at `outIdx` and
 * values at `outVal`. Returns how many were written (min(k, number of finite entries)).
 */
export function topK(p: usize, n16: i32, k: i32, outIdx: usize, outVal: usize): i32 {
  if (k <= 0) return 0;
  let size: i32 = 0;
  let thr: f32 = -Infinity; // an element enters when x > thr (strict: equal values lose to lower ids)
  let vt = f32x4.splat(thr);
  for (let i: i32 = 0; i < n16; i += 8) {
    const q = p + (<usize>i << 2);
    if (!v128.any_true(v128.or(f32x4.gt(v128.load(q), vt), f32x4.gt(v128.load(q, 16), vt)))) continue;
    for (let j = 0; j < 8; j++) {
      const x = load<f32>(q + (<usize>j << 2));
      if (!(x > thr)) continue;
      if (size < k) {
        store<f32>(outVal + (<usize>size << 2), x);
        store<i32>(outIdx + (<usize>size << 2), i + j);
        siftUp(outVal, outIdx, size);
        size++;
        if (size == k) thr = load<f32>(outVal);
      } else {
        store<f32>(outVal, x);
        store<i32>(outIdx, i + j);
        siftDown(outVal, outIdx, size, 0);
        thr = load<f32>(outVal);
      }
    }
    vt = f32x4.splat(thr);
  }
  // Heap sort in place: repeatedly move the worst entry to the end.
  for (let end = size - 1; end > 0; end--) {
    const v = load<f32>(outVal);
    const id = load<i32>(outIdx);
    store<f32>(outVal, load<f32>(outVal + (<usize>end << 2)));
    store<i32>(outIdx, load<i32>(outIdx + (<usize>end << 2)));
    store<f32>(outVal + (<usize>end << 2), v);
    store<i32>(outIdx + (<usize>end << 2), id);
    siftDown(outVal, outIdx, end, 0);
  }
  return size;
}

// ---- inverse-CDF draw over stored e_i ----

/**
 * Index of the first i < n whose running sum of e_i (f64, within the block found from the block
 * sums) exceeds r, where 0 <= r < Σ block sums. Only entries with e_i > 0 can be chosen. When
 * rounding leaves r beyond a block's element sum, the block's last positive entry is chosen.
 */
export function drawIndex(e: usize, n: i32, bs: usize, r: f64): i32 {
  const nb = (n + BLOCK - 1) / BLOCK;
  let b: i32 = 0;
  for (; b < nb - 1; b++) {
    const s = load<f64>(bs + (<usize>b << 3));
    if (r < s) break;
    r -= s;
  }
  let end = (b + 1) * BLOCK;
  if (end > n) end = n;
  let last: i32 = -1;
  let cum: f64 = 0;
  for (let i = b * BLOCK; i < end; i++) {
    const v = load<f32>(e + (<usize>i << 2));
    if (v > 0) {
      cum += <f64>v;
      last = i;
      if (cum > r) return i;
    }
  }
  if (last >= 0) return last;
  // The block had no positive entry (possible only through rounding at its edge): take the last
  // positive entry before it.
  for (let i = b * BLOCK - 1; i >= 0; i--) if (load<f32>(e + (<usize>i << 2)) > 0) return i;
  return -1;
}

// ---- float16 / bfloat16 decoding (exact) ----

/** n little-endian float16 values at `src` (bytes) to float32 at `dst`. */
export function decodeF16(src: usize, n: i32, dst: usize): void {
  const mag = i32x4.splat(0x7fff);
  const expMask = i32x4.splat(0x7c00);
  const infBits = i32x4.splat(0x7f800000);
  const scale = f32x4.splat(5.192296858534828e33); // 2^112
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const h = v128.load16x4_u(src + (<usize>i << 1));
    const m = v128.and(h, mag);
    // (m << 13) read as f32 is the value / 2^112 (normal or subnormal), exact after * 2^112.
    let f = f32x4.mul(i32x4.shl(m, 13), scale);
    // exponent all ones: Inf / NaN
    f = v128.or(f, v128.and(i32x4.eq(v128.and(h, expMask), expMask), infBits));
    f = v128.or(f, i32x4.shl(v128.xor(h, m), 16));
    v128.store(dst + (<usize>i << 2), f);
  }
  for (; i < n; i++) {
    const h = v128.splat<i32>(<i32>load<u16>(src + (<usize>i << 1)));
    const m = v128.and(h, mag);
    let f = f32x4.mul(i32x4.shl(m, 13), scale);
    f = v128.or(f, v128.and(i32x4.eq(v128.and(h, expMask), expMask), infBits));
    f = v128.or(f, i32x4.shl(v128.xor(h, m), 16));
    v128.store_lane<f32>(dst + (<usize>i << 2), f, 0);
  }
}

/** n little-endian bfloat16 values at `src` (bytes) to float32 at `dst`. */
export function decodeBF16(src: usize, n: i32, dst: usize): void {
  let i: i32 = 0;
  for (; i + 8 <= n; i += 8) {
    const h = v128.load(src + (<usize>i << 1));
    v128.store(dst + (<usize>i << 2), i32x4.shl(i32x4.extend_low_i16x8_u(h), 16));
    v128.store(dst + (<usize>i << 2), i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), (<u32>load<u16>(src + (<usize>i << 1))) << 16);
}

/** Start of free memory after the module's own data: the loader places its scratch area here. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

// ---- exp-and-sum with the first moment (entropy) ----

/** Σ e_i d_i of the last expSumMoment call (f64 reduction of f32 block lanes). */
let momentAcc: f64 = 0;
export function lastMoment(): f64 {
  return momentAcc;
}

/**
 * expSum without stores that also sums the moment Σ e_i c_i, c_i = max(d_i, -88) (the clamped
 * argument of the exp; e_i = 0 wherever the clamp acts, so masked and padding terms add +0, never
 * 0 · -Infinity). d_i, e_i and the block/lane order of Σ e_i are exactly those of expSum (the
 * returned S is bit-identical to expSum's); the moment uses the same lanes and blocks:
 * h += (ea·ca + eb·cb) + (ec·cc + ed·cd) in f32, per block its 4 lanes added in f64 in lane order,
 * block moments added in order. Read it with lastMoment(). Entropy = log S − M / S.
 */
export function expSumMoment(p: usize, n16: i32, m: f32, s: f32, bs: usize): f64 {
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(s);
  const scaled = s != 1;
  const kxmin = v128.load(KT);
  const kl2e = v128.load(KT, 16);
  const kmag = v128.load(KT, 32);
  const khi = v128.load(KT, 48);
  const klo = v128.load(KT, 64);
  const k4 = v128.load(KT, 80);
  const k3 = v128.load(KT, 96);
  const k2 = v128.load(KT, 112);
  const k1 = v128.load(KT, 128);
  const k0 = v128.load(KT, 144);
  const kone = v128.load(KT, 160);
  let total: f64 = 0;
  let mom: f64 = 0;
  for (let start: i32 = 0; start < n16; start += BLOCK) {
    let end = start + BLOCK;
    if (end > n16) end = n16;
    let acc = f32x4.splat(0);
    let h = acc;
    const qEnd = p + (<usize>end << 2);
    for (let q = p + (<usize>start << 2); q < qEnd; q += 64) {
      let da = f32x4.sub(v128.load(q), vm);
      let db = f32x4.sub(v128.load(q, 16), vm);
      let dc = f32x4.sub(v128.load(q, 32), vm);
      let dd = f32x4.sub(v128.load(q, 48), vm);
      if (scaled) {
        da = f32x4.mul(da, vs);
        db = f32x4.mul(db, vs);
        dc = f32x4.mul(dc, vs);
        dd = f32x4.mul(dd, vs);
      }
      da = f32x4.pmax(da, kxmin);
      db = f32x4.pmax(db, kxmin);
      dc = f32x4.pmax(dc, kxmin);
      dd = f32x4.pmax(dd, kxmin);
      const ea = expFromClamped(da, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const eb = expFromClamped(db, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const ec = expFromClamped(dc, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      const ed = expFromClamped(dd, kl2e, kmag, khi, klo, k4, k3, k2, k1, k0, kone);
      acc = f32x4.add(acc, f32x4.add(f32x4.add(ea, eb), f32x4.add(ec, ed)));
      h = f32x4.add(
        h,
        f32x4.add(f32x4.add(f32x4.mul(ea, da), f32x4.mul(eb, db)), f32x4.add(f32x4.mul(ec, dc), f32x4.mul(ed, dd))),
      );
    }
    const b = lanesF64(acc);
    store<f64>(bs + (<usize>(start / BLOCK) << 3), b);
    total += b;
    mom += lanesF64(h);
  }
  momentAcc = mom;
  return total;
}

// @ts-expect-error: decorator
@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/**
 * dst_i = fround(((x_i - m) * s) - c) computed in float64 (s = 1 skips the product): log-softmax's
 * write pass, each output rounded once to float32. -Infinity gives -Infinity.
 */
export function logSoftmaxWrite64(src: usize, n16: i32, m: f64, s: f64, c: f64, dst: usize): void {
  if (s == 1) writeLoop64(src, n16, m, s, c, dst, false);
  else writeLoop64(src, n16, m, s, c, dst, true);
}

// logSoftmaxWrite64's loop with a constant `scaled` flag, 16 elements per iteration (four
// independent chains; V8 does not overlap the promote/demote latencies of one vector at a time).
// @ts-expect-error: decorator
@inline function writeLoop64(src: usize, n16: i32, m: f64, s: f64, c: f64, dst: usize, scaled: bool): void {
  const vm = f64x2.splat(m);
  const vs = f64x2.splat(s);
  const vc = f64x2.splat(c);
  const end = src + (<usize>n16 << 2);
  for (let q = src, o = dst; q < end; q += 64, o += 64) {
    write4(v128.load(q), vm, vs, vc, o, scaled);
    write4(v128.load(q, 16), vm, vs, vc, o + 16, scaled);
    write4(v128.load(q, 32), vm, vs, vc, o + 32, scaled);
    write4(v128.load(q, 48), vm, vs, vc, o + 48, scaled);
  }
}

// @ts-expect-error: decorator
@inline function write4(a: v128, vm: v128, vs: v128, vc: v128, o: usize, scaled: bool): void {
  let d0 = f64x2.sub(f64x2.promote_low_f32x4(a), vm);
  let d1 = f64x2.sub(hi2(a), vm);
  if (scaled) {
    d0 = f64x2.mul(d0, vs);
    d1 = f64x2.mul(d1, vs);
  }
  const r0 = f32x4.demote_f64x2_zero(f64x2.sub(d0, vc));
  const r1 = f32x4.demote_f64x2_zero(f64x2.sub(d1, vc));
  v128.store(o, v128.shuffle<f32>(r0, r1, 0, 1, 4, 5));
}

/**
 * dst_i = fround(fround(x_i - m) - c) in float32 (f32x4): log-softmax's write pass at T = 1, where
 * `c` is log S rounded to float32. Since x_i - m <= 0 <= c, no step cancels: each of the three
 * roundings is at most half an ulp of a value no larger in magnitude than the result, so the output is
 * within 2 ulp of (x_i - m) - log S evaluated exactly (the float64 pass, logSoftmaxWrite64, rounds once:
 * 0.5 ulp). Four f32x4 vectors per iteration; it costs about a third of the float64 pass.
 * -Infinity gives -Infinity.
 */
export function logSoftmaxWrite32(src: usize, n16: i32, m: f32, c: f32, dst: usize): void {
  const vm = f32x4.splat(m);
  const vc = f32x4.splat(c);
  const end = src + (<usize>n16 << 2);
  for (let q = src, o = dst; q < end; q += 64, o += 64) {
    v128.store(o, f32x4.sub(f32x4.sub(v128.load(q), vm), vc));
    v128.store(o, f32x4.sub(f32x4.sub(v128.load(q, 16), vm), vc), 16);
    v128.store(o, f32x4.sub(f32x4.sub(v128.load(q, 32), vm), vc), 32);
    v128.store(o, f32x4.sub(f32x4.sub(v128.load(q, 48), vm), vc), 48);
  }
}
