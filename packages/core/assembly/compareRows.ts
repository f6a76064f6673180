// The model-comparison kernel (WebAssembly SIMD): for two logit rows of the same length it finds both
// maxima, both top-1 tokens and, in one fused float64 pass, S_b = Σ exp(x_i), S_n = Σ exp(y_i) and
// C = Σ exp(x_i)(x_i − y_i) with x = base − max(base), y = new − max(new). Mirrored operation for
// operation by the JavaScript twin in src/kernels/compareRowsBackend.ts, so both give the same bits.
//
// Exponentials: portableExp (src/portableExp.ts) evaluated in f64x2 lanes — the same IEEE double
// additions and multiplications in the same order (baseline SIMD has no fused multiply-add), the same
// 2^(j/64) table; the power of two 2^(n >> 6) is applied as 2^((n >> 6) + 64) · 2^-64, which is
// portableExp's own route for subnormal results and exact (so equal to its single product) for
// normal ones. Results below MIN_ARG (and −Infinity) are +0.
//
// Summation order (fixed; the fallback follows it): four float64 strands, strand j (0..3) adds, in
// increasing i, the terms of the elements i ≡ j (mod 4); a sum is (s0 + s1) + (s2 + s3). The term of
// C is added only where exp(x_i) > 0 (elsewhere +0, which leaves a strand unchanged: a strand starts
// at +0 and a sum of doubles is never −0 unless both operands are). A token allowed in base and banned
// in new contributes +Infinity to C.
//
// Memory: both rows at `a` and `b`, each padded with −Infinity to n8 elements (a multiple of 8);
// −Infinity adds +0 to every sum and is never a maximum. Results at `out` (f64): max(base), max(new),
// S_b, S_n, C, top-1 of base, top-1 of new. When a row holds NaN or +Infinity, or is all −Infinity,
// only the maxima are written (NaN for a row with NaN): the caller validates and throws.

/** 2^(j/64), j = 0 … 63: the same correctly rounded doubles as portableExp's table. */
const TWO_POW_J64: usize = memory.data<f64>([
  1.0, 1.0108892860517005, 1.0218971486541166, 1.0330248790212284, 1.0442737824274138,
  1.0556451783605572, 1.0671404006768237, 1.0787607977571199, 1.0905077326652577, 1.102382583307841,
  1.1143867425958924, 1.1265216186082418, 1.1387886347566916, 1.1511892299529827, 1.1637248587775775,
  1.1763969916502812, 1.189207115002721, 1.202156731452703, 1.215247359980469, 1.22848053610687,
  1.241857812073484, 1.255380757024691, 1.2690509571917332, 1.2828700160787783, 1.2968395546510096,
  1.3109612115247644, 1.3252366431597413, 1.339667524053303, 1.3542555469368927, 1.3690024229745905,
  1.383909881963832, 1.3989796725383112, 1.4142135623730951, 1.42961333839197, 1.4451808069770467,
  1.460917794180647, 1.4768261459394993, 1.4929077282912648, 1.5091644275934228, 1.5255981507445384,
  1.5422108254079407, 1.559004400237837, 1.5759808451078865, 1.593142151342267, 1.6104903319492543,
  1.6280274218573478, 1.645755478153965, 1.6636765803267364, 1.681792830507429, 1.7001063537185235,
  1.718619298122478, 1.7373338352737062, 1.7562521603732995, 1.7753764925265212, 1.7947090750031072,
  1.8142521755003989, 1.8340080864093424, 1.8539791250833855, 1.8741676341103, 1.8945759815869656,
  1.9152065613971474, 1.9360617934922943, 1.9571441241754002, 1.978456026387951,
], 16);

/** The constants of portableExp (same values). */
const MIN_ARG: f64 = -745.2;
const SHIFTER: f64 = 6755399441055744.0;
const INV_STEP: f64 = 92.33248261689366;
const STEP_HI: f64 = 0.01083042469326756;
const STEP_LO: f64 = 2.9815858269852933e-12;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
/** bits(SHIFTER) − 1087 · 64: z's bits minus this are n + 1087 · 64 ≥ 0 for every n ≥ −69,568. */
const SCALE_BIAS: i64 = 0x4338000000000000 - 1087 * 64;
const TWO_M64: f64 = 5.421010862427522e-20; // 2^-64

/**
 * The splatted constants of exp2Lanes, in memory: loaded once per call into locals. Written as
 * literals, Binaryen folds them back into the loop, where V8 rebuilds each v128 constant at every use
 * (measured: ~9% slower at V = 128,256).
 */
const CONSTS: usize = memory.data<f64>([
  INV_STEP, INV_STEP, SHIFTER, SHIFTER, STEP_HI, STEP_HI, STEP_LO, STEP_LO,
  0.5, 0.5, C3, C3, C4, C4, C5, C5, MIN_ARG, MIN_ARG, TWO_M64, TWO_M64,
], 16);
const BITS: usize = memory.data<i64>([63, 63, SCALE_BIAS, SCALE_BIAS, ~63, ~63], 16);

/** portableExp on both lanes of x (x ≤ 0 or −Infinity), bit for bit; then the constants, as loaded. */
// @ts-ignore: decorator
@inline
function exp2Lanes(
  x: v128,
  invStep: v128,
  shifter: v128,
  stepHi: v128,
  stepLo: v128,
  c2: v128,
  c3: v128,
  c4: v128,
  c5: v128,
  minArg: v128,
  twoM64: v128,
  low6: v128,
  scaleBias: v128,
  high58: v128,
): v128 {
  // z = x · 64/ln2 + 1.5 · 2^52 holds n = round(x · 64/ln2) in its low mantissa bits.
  const z = f64x2.add(f64x2.mul(x, invStep), shifter);
  const n = f64x2.sub(z, shifter);
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, stepHi)), f64x2.mul(n, stepLo));
  const p = f64x2.add(c2, f64x2.mul(r, f64x2.add(c3, f64x2.mul(r, f64x2.add(c4, f64x2.mul(r, c5))))));
  const q = f64x2.add(r, f64x2.mul(f64x2.mul(r, r), p));
  // 2^(j/64) with j = n & 63 (the low bits of z; the shifter's low bits are 0): one load per lane.
  const j8 = i64x2.shl(v128.and(z, low6), 3);
  let t = v128.load64_splat(TWO_POW_J64 + <usize>i32x4.extract_lane(j8, 0));
  t = v128.load64_lane(TWO_POW_J64 + <usize>i32x4.extract_lane(j8, 2), t, 1);
  const m = f64x2.add(t, f64x2.mul(t, q));
  // 2^((n >> 6) + 64) built from its exponent field: (n + 1087 · 64) with the low 6 bits cleared,
  // shifted to bit 52, is ((n >> 6) + 1087) << 52 (n ≥ −68,807 on every lane not masked below).
  const s = i64x2.shl(v128.and(i64x2.sub(z, scaleBias), high58), 46);
  const e = f64x2.mul(f64x2.mul(m, s), twoM64);
  return v128.and(e, f64x2.ge(x, minArg));
}

/** Maximum of n8 floats at p (pmax: exact); NaN when any element is NaN. */
// @ts-ignore: decorator
@inline
function maxRow(p: usize, n8: i32): f32 {
  const ninf = f32x4.splat(-Infinity);
  let ma = ninf;
  let mb = ninf;
  let bad = i32x4.splat(0);
  for (let i: i32 = 0; i < n8; i += 8) {
    const a = v128.load(p + (<usize>i << 2));
    const b = v128.load(p + (<usize>i << 2), 16);
    bad = v128.or(bad, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
    ma = f32x4.pmax(ma, a);
    mb = f32x4.pmax(mb, b);
  }
  if (v128.any_true(bad)) return NaN;
  const m = f32x4.pmax(ma, mb);
  return max(
    max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)),
    max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)),
  );
}

/** First index of the value m among n8 floats at p (m is in the row). */
// @ts-ignore: decorator
@inline
function firstIndex(p: usize, n8: i32, m: f32): i32 {
  const vm = f32x4.splat(m);
  for (let i: i32 = 0; i < n8; i += 4) {
    if (v128.any_true(f32x4.eq(v128.load(p + (<usize>i << 2)), vm))) {
      for (let k: i32 = i; k < i + 4; k++) if (load<f32>(p + (<usize>k << 2)) == m) return k;
    }
  }
  return -1;
}

/** Two floats at p as f64x2, minus the row maximum: the fallback's float64 subtraction. */
// @ts-ignore: decorator
@inline
function centered(p: usize, m: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p)), m);
}

/** Σ over the four strands: (s0 + s1) + (s2 + s3). */
// @ts-ignore: decorator
@inline
function strands(lo: v128, hi: v128): f64 {
  return (
    f64x2.extract_lane(lo, 0) +
    f64x2.extract_lane(lo, 1) +
    (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1))
  );
}

/** Compares the rows at a and b (n8 floats each, −Infinity padded); results at out (see above). */
export function compareRowPair(a: usize, b: usize, n8: i32, out: usize): void {
  const maxA = maxRow(a, n8);
  const maxB = maxRow(b, n8);
  store<f64>(out, <f64>maxA);
  store<f64>(out, <f64>maxB, 8);
  // NaN fails both comparisons; ±Infinity fails one.
  if (!(maxA > -Infinity && maxA < Infinity && maxB > -Infinity && maxB < Infinity)) return;
  const ma = f64x2.splat(<f64>maxA);
  const mb = f64x2.splat(<f64>maxB);
  const zero = f64x2.splat(0);
  const invStep = v128.load(CONSTS);
  const shifter = v128.load(CONSTS, 16);
  const stepHi = v128.load(CONSTS, 32);
  const stepLo = v128.load(CONSTS, 48);
  const c2 = v128.load(CONSTS, 64);
  const c3 = v128.load(CONSTS, 80);
  const c4 = v128.load(CONSTS, 96);
  const c5 = v128.load(CONSTS, 112);
  const minArg = v128.load(CONSTS, 128);
  const twoM64 = v128.load(CONSTS, 144);
  const low6 = v128.load(BITS);
  const scaleBias = v128.load(BITS, 16);
  const high58 = v128.load(BITS, 32);
  let sbLo = zero;
  let sbHi = zero;
  let snLo = zero;
  let snHi = zero;
  let cLo = zero;
  let cHi = zero;
  for (let i: i32 = 0; i < n8; i += 4) {
    const o = <usize>i << 2;
    const xLo = centered(a + o, ma);
    const xHi = centered(a + o + 8, ma);
    const yLo = centered(b + o, mb);
    const yHi = centered(b + o + 8, mb);
    const ebLo = exp2Lanes(xLo, invStep, shifter, stepHi, stepLo, c2, c3, c4, c5, minArg, twoM64, low6, scaleBias, high58);
    const ebHi = exp2Lanes(xHi, invStep, shifter, stepHi, stepLo, c2, c3, c4, c5, minArg, twoM64, low6, scaleBias, high58);
    const enLo = exp2Lanes(yLo, invStep, shifter, stepHi, stepLo, c2, c3, c4, c5, minArg, twoM64, low6, scaleBias, high58);
    const enHi = exp2Lanes(yHi, invStep, shifter, stepHi, stepLo, c2, c3, c4, c5, minArg, twoM64, low6, scaleBias, high58);
    snLo = f64x2.add(snLo, enLo);
    snHi = f64x2.add(snHi, enHi);
    sbLo = f64x2.add(sbLo, ebLo);
    sbHi = f64x2.add(sbHi, ebHi);
    cLo = f64x2.add(cLo, v128.and(f64x2.mul(ebLo, f64x2.sub(xLo, yLo)), f64x2.gt(ebLo, zero)));
    cHi = f64x2.add(cHi, v128.and(f64x2.mul(ebHi, f64x2.sub(xHi, yHi)), f64x2.gt(ebHi, zero)));
  }
  store<f64>(out, strands(sbLo, sbHi), 16);
  store<f64>(out, strands(snLo, snHi), 24);
  store<f64>(out, strands(cLo, cHi), 32);
  store<f64>(out, <f64>firstIndex(a, n8, maxA), 40);
  store<f64>(out, <f64>firstIndex(b, n8, maxB), 48);
}

/** Start of free memory after the module's own data. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}
