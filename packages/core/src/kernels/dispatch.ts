/**
 * Row-level entry points to the kernels, over whichever backend this runtime has: the WebAssembly
 * SIMD module when it validates, otherwise the bit-identical JavaScript fallback. Results never
 * depend on the backend, so switching (at load time, or later when an asynchronous compile
 * finishes) changes speed only.
 *
 * Data movement: a row is copied (`Float32Array.set`, memcpy speed) or decoded into one scratch
 * area of the backend's memory, padded with -Infinity to a multiple of 16; the scratch area grows
 * as needed and is reused, so no call allocates per row (apart from small subarray views).
 *
 * Validity: kernels fold the NaN / +Infinity / all-masked check into the max pass. Functions that
 * return `max` return it as found: when it is not finite (NaN, +Infinity, or -Infinity for an
 * empty or all-masked row) nothing was computed and the caller reports the error.
 */

import { fillLogprobs } from "../fillLogprobs.js";
import { portableLog } from "../portableLog.js";
import type { KernelBackend } from "./backend.js";
import { BLOCK } from "./backend.js";
import { createFallbackBackend } from "./fallback.js";
import { compileWasmBackend, createWasmBackend } from "./wasm.js";

type Mode = "auto" | "js" | "wasm-simd";

let mode: Mode = "auto";
let active: KernelBackend | null = null;
let fallback: KernelBackend | null = null;
let wasm: KernelBackend | null | undefined; // undefined: not tried yet
let asyncTried = false;

function pick(): KernelBackend {
  if (mode !== "js") {
    if (wasm === undefined) {
      wasm = createWasmBackend();
      if (wasm === null && !asyncTried) {
        asyncTried = true;
        // A runtime that refuses a synchronous compile may still compile asynchronously.
        void compileWasmBackend().then((b) => {
          if (b !== null) {
            wasm = b;
            if (mode !== "js") setActive(b);
          }
        });
      }
    }
    if (wasm !== null) return wasm;
    if (mode === "wasm-simd") throw new Error("WebAssembly SIMD is not available in this runtime");
  }
  if (fallback === null) fallback = createFallbackBackend();
  return fallback;
}

/** Which implementation runs the kernels: "wasm-simd" or "js" (identical results, speed differs). */
export function kernelBackend(): "wasm-simd" | "js" {
  return be().name;
}

/**
 * Test hook: force the JavaScript fallback ("js"), require the SIMD module ("wasm-simd"), or let
 * the runtime choose ("auto", the default). Not part of the public API.
 */
export function setKernelBackend(m: Mode): void {
  mode = m;
  active = null;
}

// ---- scratch layout over the active backend's memory ----

let lay = {
  cap: -1,
  kcap: -1,
  base: 0,
  X: 0,
  E: 0,
  BS: 0,
  HV: 0,
  HI: 0,
  XC: 0,
  MAP: 0,
  IDX: 0,
  SRC: 0,
  end: 0,
  full: 0,
};
let layFor: KernelBackend | null = null;
let buf: ArrayBuffer | null = null;
let F = new Float32Array(0);
let I = new Int32Array(0);
let U8 = new Uint8Array(0);

function setActive(b: KernelBackend): void {
  active = b;
  layFor = null;
  buf = null;
}

function be(): KernelBackend {
  if (active === null) setActive(pick());
  return active!;
}

/**
 * Makes room for rows of n elements and top lists of k entries; refreshes the views. Layout (bytes,
 * each row-sized region with 16 spare floats, as kernels store whole vectors past their results):
 * X (the row) | E (exp terms / outputs; also the float16 source bytes before decoding) | block sums |
 * HV, HI (top-k heap, k-sized) | XC (compacted finite values; reused as the collect index list of
 * top-p) | MAP (their ids). XC and MAP are only backed by memory once a row needs them (ensureFull),
 * so a plain row of V floats costs 2 × 4V bytes of kernel memory.
 */
function ensure(b: KernelBackend, n: number, k = 0): void {
  if (layFor !== b || n > lay.cap || k > lay.kcap) {
    const c16 = (Math.max(n, 16, layFor === b ? lay.cap : 0) + 15) & ~15;
    const k16 = (Math.max(k, 16, layFor === b ? lay.kcap : 0) + 15) & ~15;
    const base = b.k.heapBase();
    const r = (c16 + 16) * 4;
    const kr = (k16 + 16) * 4;
    const X = base;
    const E = X + r;
    const BS = E + r;
    const HV = BS + (Math.ceil(c16 / BLOCK) + 2) * 8;
    const HI = HV + kr;
    const XC = HI + kr;
    const MAP = XC + r;
    lay = { cap: c16, kcap: k16, base, X, E, BS, HV, HI, XC, MAP, IDX: XC, SRC: E, end: XC, full: MAP + r };
    layFor = b;
  }
  b.ensureBytes(lay.end);
  refreshViews(b);
}

/** Backs XC / MAP with memory too (rows with masked tokens, top-p). */
function ensureFull(b: KernelBackend): void {
  b.ensureBytes(lay.full);
  refreshViews(b);
}

function refreshViews(b: KernelBackend): void {
  const cur = b.buffer();
  if (cur !== buf) {
    buf = cur;
    F = new Float32Array(cur);
    I = new Int32Array(cur);
    U8 = new Uint8Array(cur);
  }
}

/** Copies a row into X, pads it with -Infinity to a multiple of 16; returns the padded length. */
function load(b: KernelBackend, data: Float32Array, offset: number, length: number, k = 0): number {
  ensure(b, length, k);
  const x = lay.X >> 2;
  F.set(offset === 0 && length === data.length ? data : data.subarray(offset, offset + length), x);
  const n16 = (length + 15) & ~15;
  for (let i = length; i < n16; i++) F[x + i] = Number.NEGATIVE_INFINITY;
  return n16;
}

/** Decodes a float16/bfloat16 row (little-endian bytes) into X, padded; returns the padded length. */
function loadHalf(
  b: KernelBackend,
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
): number {
  ensure(b, length);
  U8.set(bytes.subarray(byteOffset, byteOffset + 2 * length), lay.SRC);
  if (dtype === "f16") b.k.decodeF16(lay.SRC, length, lay.X);
  else b.k.decodeBF16(lay.SRC, length, lay.X);
  const x = lay.X >> 2;
  const n16 = (length + 15) & ~15;
  for (let i = length; i < n16; i++) F[x + i] = Number.NEGATIVE_INFINITY;
  return n16;
}

/**
 * The sequence the sums run over. A row without -Infinity entries is summed in place (X). A row
 * with masked tokens is first compacted (XC: its finite values in order, MAP: their indices), so
 * the lanes and blocks of every sum depend only on the unmasked values — a masked token changes no
 * other output, bit for bit, exactly as if it were not in the row.
 */
const cur = { p: 0, n: 0, n16: 0, mapped: false };
function prepare(b: KernelBackend, n16: number, length: number): void {
  if (b.k.lastNegInf() === n16 - length) {
    cur.p = lay.X;
    cur.n = length;
    cur.n16 = n16;
    cur.mapped = false;
    return;
  }
  ensureFull(b);
  const nc = b.k.compactFinite(lay.X, length, lay.XC, lay.MAP);
  const nc16 = (nc + 15) & ~15;
  const xc = lay.XC >> 2;
  for (let i = nc; i < nc16; i++) F[xc + i] = Number.NEGATIVE_INFINITY;
  cur.p = lay.XC;
  cur.n = nc;
  cur.n16 = nc16;
  cur.mapped = true;
}

/**
 * The common step after loading a row into X (padded length n16): its max and, when the max is
 * finite, the sequence the sums run over (`cur`, see prepare). A row whose max is not finite (NaN,
 * +Infinity, or all -Infinity) is invalid and the caller returns at once.
 */
function maxPrepared(b: KernelBackend, n16: number, length: number): number {
  const m = b.k.maxF32(lay.X, n16);
  if (Number.isFinite(m)) prepare(b, n16, length);
  return m;
}

/** Copies the first c entries of the top-k heap (ids; values unless null) out, from outOffset. */
function copyTop(
  c: number,
  outIds: Int32Array,
  outValues: Float32Array | Float64Array | null,
  outOffset: number,
): void {
  const hi = lay.HI >> 2;
  const hv = lay.HV >> 2;
  for (let i = 0; i < c; i++) {
    outIds[outOffset + i] = I[hi + i]!;
    if (outValues !== null) outValues[outOffset + i] = F[hv + i]!;
  }
}

/** f32 reciprocal of the temperature, the factor the kernels multiply (x - max) by. */
function invT(temperature: number): number {
  return temperature === 1 ? 1 : Math.fround(1 / temperature);
}

// ---- row functions ----

/** Maximum of a row (NaN if any element is NaN; -Infinity for an empty or all-masked row). */
export function maxKernel(data: Float32Array, offset: number, length: number): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  return b.k.maxF32(lay.X, n16);
}

/**
 * softmax of (x / T) into out[outOffset ..]: p_i = fround(e_i · fround(1 / S)), e_i = exp((x_i − max)·s)
 * with s = fround(1 / T), S = Σ e_i (f64, fixed order). Returns the row max; when it is not finite
 * nothing was written.
 */
export function softmaxKernel(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset: number,
  temperature: number,
): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  const m = maxPrepared(b, n16, length);
  if (!Number.isFinite(m)) return m;
  const S = b.k.expSum(cur.p, cur.n16, m, invT(temperature), lay.E, lay.BS);
  b.k.scaleF32(lay.E, cur.n16, Math.fround(1 / S), lay.E);
  let res = lay.E;
  if (cur.mapped) {
    b.k.scatterF32(lay.E, lay.MAP, cur.n, lay.X, length);
    res = lay.X;
  }
  const e = res >> 2;
  out.set(F.subarray(e, e + length), outOffset);
  return m;
}

/**
 * log-softmax of (x / T): fround((x_i − max)·(1/T) − log S), the write pass in float64 (each output
 * rounded once), S the float32 exp-and-sum of softmaxKernel (f32 lanes within blocks of 128, blocks
 * reduced in f64: |ΔS/S| ≤ 11·2⁻²⁴ ≈ 6.6e-7 plus 2⁻²⁴·E_p|d| per rounding of the shifted logit d — so log S
 * within ~1e-6 absolute; see test/softmaxReference.ts). Returns the row max (see softmaxKernel).
 */
export function logSoftmaxKernel(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset: number,
  temperature: number,
): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  const m = maxPrepared(b, n16, length);
  if (!Number.isFinite(m)) return m;
  const S = b.k.expSum(cur.p, cur.n16, m, invT(temperature), 0, lay.BS);
  const s = temperature === 1 ? 1 : 1 / temperature;
  b.k.logSoftmaxWrite64(lay.X, n16, m, s, portableLog(S), lay.E);
  const e = lay.E >> 2;
  out.set(F.subarray(e, e + length), outOffset);
  return m;
}

/**
 * log Σ exp(x_i / T) = max / T + log S, S from the float32 exp-and-sum (as logSoftmaxKernel). Returns NaN / ±Infinity unchanged from the max when the row is invalid (NaN, +Infinity,
 * or all -Infinity / empty).
 */
export function logSumExpKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  const m = maxPrepared(b, n16, length);
  if (!Number.isFinite(m)) return m;
  const S = b.k.expSum(cur.p, cur.n16, m, invT(temperature), 0, lay.BS);
  return (temperature === 1 ? m : m / temperature) + portableLog(S);
}

/** Result of scoreKernel / scoreHalfKernel (reused object: copy the fields out). */
export interface RowScore {
  /** Row maximum; when not finite the row is invalid and the other fields are unset. */
  max: number;
  /** log Σ exp x_i (f64). */
  logSumExp: number;
  /** x_target − logSumExp, or NaN when target < 0. */
  logprob: number;
  /** 1 + number of x_i strictly greater than x_target, or 0 when target < 0. */
  rank: number;
  /** −Σ p_i log p_i. */
  entropy: number;
}

const score: RowScore = { max: 0, logSumExp: 0, logprob: 0, rank: 0, entropy: 0 };

function scoreLoaded(b: KernelBackend, n16: number, length: number, target: number): RowScore {
  const m = maxPrepared(b, n16, length);
  score.max = m;
  if (!Number.isFinite(m)) return score;
  const S = b.k.expSumMoment(cur.p, cur.n16, m, 1, lay.BS);
  const logS = portableLog(S);
  score.logSumExp = m + logS;
  score.entropy = logS - b.k.lastMoment() / S;
  if (target >= 0) {
    const xt = F[(lay.X >> 2) + target]!;
    score.logprob = xt - m - logS;
    score.rank = 1 + b.k.countGt(lay.X, n16, xt);
  } else {
    score.logprob = Number.NaN;
    score.rank = 0;
  }
  return score;
}

/** Target logprob, rank and entropy of one row (T = 1). `target` must be < length (−1: none). */
export function scoreKernel(data: Float32Array, offset: number, length: number, target: number): RowScore {
  const b = be();
  return scoreLoaded(b, load(b, data, offset, length), length, target);
}

/** scoreKernel on a row of little-endian float16 / bfloat16 bytes, decoded inside the kernel memory. */
export function scoreHalfKernel(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  target: number,
): RowScore {
  const b = be();
  return scoreLoaded(b, loadHalf(b, bytes, byteOffset, length, dtype), length, target);
}

/** Decodes `length` little-endian float16 / bfloat16 values at bytes[byteOffset..] into out (exact). */
export function decodeHalfKernel(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  out: Float32Array,
  outOffset = 0,
): void {
  const b = be();
  loadHalf(b, bytes, byteOffset, length, dtype);
  const x = lay.X >> 2;
  out.set(F.subarray(x, x + length), outOffset);
}

/**
 * The k largest entries of a row, excluding -Infinity (and NaN): ids and values, value descending,
 * lower id first on ties. Returns how many were written (≤ k).
 */
export function topKKernel(
  data: Float32Array,
  offset: number,
  length: number,
  k: number,
  outIds: Int32Array,
  outValues: Float32Array | Float64Array,
  outOffset = 0,
): number {
  const b = be();
  const kk = Math.max(0, Math.min(k, length));
  const n16 = load(b, data, offset, length, kk);
  const c = b.k.topK(lay.X, n16, kk, lay.HI, lay.HV);
  copyTop(c, outIds, outValues, outOffset);
  return c;
}

// Sort keys for the edge of the top-p nucleus: (bits of e) · 2^22 + (2^22 − 1 − id) < 2^53 orders
// by e, then by lower id, exactly.
let keys = new Float64Array(0);
const ID_SPAN = 2 ** 22;
const fbuf = new Float32Array(1);
const ibuf = new Int32Array(fbuf.buffer);
function bitsToF32(bits: number): number {
  ibuf[0] = bits;
  return fbuf[0]!;
}

/**
 * The top-p nucleus of softmax(x / T): the smallest set of most likely tokens whose total
 * probability is ≥ p (among equal probabilities the lower id enters first), written to outIds in
 * ascending id order; returns its size. p ≥ 1 keeps every token with nonzero probability. Returns −1
 * (nothing written) when the row is invalid (max not finite). At most 4,194,304 tokens.
 *
 * Method: one exp-and-sum pass keeps e_i (e_max = 1); a bisection over the float bits of a threshold
 * t ∈ [0, 1] — 13 SIMD passes of Σ e_i over e_i ≥ t — brackets the nucleus edge in [lo, hi), a band
 * 1/32 of an octave wide. Everything ≥ hi is in the nucleus; only the band's few entries are sorted
 * (packed float64 keys) and added to the mass above hi until it reaches p·S, which fixes the last
 * token (e*, id*). One collect pass then writes {e > e*} ∪ {e = e*, id ≤ id*}. No full sort.
 */
export function topPKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
  p: number,
  outIds: Int32Array,
): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  const m = maxPrepared(b, n16, length);
  if (!Number.isFinite(m)) return -1;
  ensureFull(b);
  const S = b.k.expSum(cur.p, cur.n16, m, invT(temperature), lay.E, lay.BS);
  const idx = lay.IDX >> 2;
  const e = lay.E >> 2;
  const len = cur.n;
  const en16 = cur.n16;
  if (!(p < 1)) return collectInto(b, len, MIN_POSITIVE, outIds);
  const target = p * S;
  // Invariant: mass(e >= lo) >= target > mass(e >= hi). mass(e >= 0) = S; mass(e >= just above 1) = 0.
  let lo = 0;
  let hi = 0x3f800001;
  for (let step = 0; step < 13; step++) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (b.k.massGe(lay.E, en16, bitsToF32(mid)) >= target) lo = mid;
    else hi = mid;
  }
  const tLo = lo === 0 ? MIN_POSITIVE : bitsToF32(lo);
  const tHi = bitsToF32(hi);
  let cum = hi > 0x3f800000 ? 0 : b.k.massGe(lay.E, en16, tHi);
  // The band: tLo <= e < tHi — a few entries around the edge.
  const nb = b.k.collectRange(lay.E, len, tLo, tHi, lay.IDX);
  if (keys.length < nb) keys = new Float64Array(Math.max(nb, keys.length * 2));
  for (let i = 0; i < nb; i++) {
    const id = I[idx + i]!;
    keys[i] = I[e + id]! * ID_SPAN + (ID_SPAN - 1 - id);
  }
  const band = keys.subarray(0, nb).sort();
  let cutBits = -1;
  let cutId = -1;
  let tiesAfter = false; // an entry equal to e* with a higher id stays out
  for (let i = nb - 1; i >= 0; i--) {
    const key = band[i]!;
    const id = ID_SPAN - 1 - (key % ID_SPAN);
    const bits = (key - (ID_SPAN - 1 - id)) / ID_SPAN;
    if (cutBits >= 0 && cum >= target) {
      tiesAfter = bits === cutBits;
      break;
    }
    cum += F[e + id]!;
    cutBits = bits;
    cutId = id;
  }
  // Empty band: the nucleus is every entry >= tHi. Otherwise {e > e*} ∪ {e = e*, id <= id*} (if
  // rounding left cum < target, the whole band was taken: the cut is its smallest entry, as the
  // invariant promises), ascending ids.
  if (cutBits < 0) return collectInto(b, len, hi > 0x3f800000 ? MIN_POSITIVE : tHi, outIds);
  const eCut = bitsToF32(cutBits);
  if (!tiesAfter) return collectInto(b, len, eCut, outIds);
  const n = b.k.collectRange(lay.E, len, eCut, Number.POSITIVE_INFINITY, lay.IDX);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const id = I[idx + i]!;
    if (F[e + id]! === eCut && id > cutId) continue;
    outIds[count++] = cur.mapped ? I[(lay.MAP >> 2) + id]! : id;
  }
  return count;
}

/** Smallest positive float32: `e >= MIN_POSITIVE` selects the tokens with nonzero probability. */
const MIN_POSITIVE = 2 ** -149;

/** Writes the ids with e_i >= t (ascending) to outIds; returns how many. */
function collectInto(b: KernelBackend, length: number, t: number, outIds: Int32Array): number {
  const n = b.k.collectRange(lay.E, length, t, Number.POSITIVE_INFINITY, lay.IDX);
  const idx = lay.IDX >> 2;
  if (cur.mapped) {
    const map = lay.MAP >> 2;
    for (let i = 0; i < n; i++) outIds[i] = I[map + I[idx + i]!]!;
  } else outIds.set(I.subarray(idx, idx + n));
  return n;
}

/**
 * One draw from softmax(x / T) with the uniform u ∈ [0, 1): the fused pass keeps e_i and their
 * block sums, then an inverse-CDF walk finds the first token whose running sum exceeds u·S.
 * Returns the token id, or −1 when the row is invalid (not finite max); never a masked token.
 */
export function sampleKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
  u: number,
): number {
  const b = be();
  const n16 = load(b, data, offset, length);
  const m = maxPrepared(b, n16, length);
  if (!Number.isFinite(m)) return -1;
  const S = b.k.expSum(cur.p, cur.n16, m, invT(temperature), lay.E, lay.BS);
  const j = b.k.drawIndex(lay.E, cur.n, lay.BS, u * S);
  return cur.mapped ? I[(lay.MAP >> 2) + j]! : j;
}

/** exp over n floats with the kernels' polynomial (test hook for the error bound). */
export function expKernel(x: Float32Array, out: Float32Array): void {
  const b = be();
  const n = x.length;
  ensure(b, n);
  F.set(x, lay.X >> 2);
  b.k.expArray(lay.X, n, lay.E);
  out.set(F.subarray(lay.E >> 2, (lay.E >> 2) + n));
}

// ---- one loaded row, several questions (the scoring and sampling paths) ----

/** Result of rowStatsKernel (a reused object: copy the fields out). */
export interface RowStats {
  /** Row maximum; not finite (NaN, +Infinity, or -Infinity for an empty / all-masked row) = invalid row. */
  max: number;
  /** S = Σ exp((x_i − max)·s) from the float32 exp-and-sum kernel (masked terms excluded). */
  sum: number;
  /** log S (portableLog). */
  logSum: number;
  /** Σ e_i (x_i − max)·s when asked for (entropy = logSum − term / sum), else 0. */
  entropyTerm: number;
}

const stats: RowStats = { max: 0, sum: 0, logSum: 0, entropyTerm: 0 };
let loadedN16 = 0;
let loadedLength = 0;
let loadedBackend: KernelBackend | null = null;

/**
 * Loads a row once and computes its max (with validation) and the normalizer
 * S = Σ exp((x_i − max)·s) (s = fround(1/T), or 1) with the float32 exp-and-sum kernel — the same
 * S as softmaxKernel / logSoftmaxKernel / logSumExpKernel for the row, bit for bit — plus the
 * entropy moment Σ e_i (x_i − max)·s when `entropy` (expSumMoment: same S). The row stays loaded
 * for `loadedCountGt` / `loadedTopK` until the next kernel call of any kind.
 */
export function rowStatsKernel(
  data: Float32Array,
  offset: number,
  length: number,
  s: number,
  entropy: boolean,
): RowStats {
  const b = be();
  const n16 = load(b, data, offset, length);
  loadedN16 = n16;
  loadedLength = length;
  loadedBackend = b;
  const m = maxPrepared(b, n16, length);
  stats.max = m;
  if (!Number.isFinite(m)) return stats;
  const sf = Math.fround(s);
  const S = entropy
    ? b.k.expSumMoment(cur.p, cur.n16, m, sf, lay.BS)
    : b.k.expSum(cur.p, cur.n16, m, sf, 0, lay.BS);
  stats.sum = S;
  stats.logSum = portableLog(S);
  stats.entropyTerm = entropy ? b.k.lastMoment() : 0;
  return stats;
}

function loadedOrThrow(): KernelBackend {
  const b = be();
  if (b !== loadedBackend) throw new Error("kernels: no row loaded (call rowStatsKernel first)");
  return b;
}

/** Number of elements of the loaded row strictly greater than t. */
export function loadedCountGt(t: number): number {
  return loadedOrThrow().k.countGt(lay.X, loadedN16, t);
}

/**
 * The k largest entries of the loaded row, value descending, ties to the lower id, -Infinity
 * excluded (see topKKernel); returns how many were written.
 */
export function loadedTopK(
  k: number,
  outIds: Int32Array,
  outValues: Float32Array | Float64Array | null,
  outOffset = 0,
): number {
  const b = loadedOrThrow();
  const kk = Math.max(0, Math.min(k, loadedLength));
  if (kk > lay.kcap) ensure(b, loadedLength, kk);
  const c = b.k.topK(lay.X, loadedN16, kk, lay.HI, lay.HV);
  copyTop(c, outIds, outValues, outOffset);
  return c;
}

/**
 * topLogprobs' fill step on the loaded row (`data[offset ..]` is the same row, for the masked
 * tail): the n most likely ids, most likely first, ties to the lower id, then — as `selectTop`
 * orders them — the -Infinity tokens by id; logprob = u − max − logSum (-Infinity for masked ones);
 * slots beyond the row length get id −1 and NaN.
 */
export function loadedTopLogprobs(
  data: Float32Array,
  offset: number,
  n: number,
  max: number,
  logSum: number,
  outIds: Int32Array,
  outLogprobs: Float64Array,
  outOffset: number,
): void {
  const length = loadedLength;
  let c = loadedTopK(n, outIds, null, outOffset);
  const want = Math.min(n, length);
  for (let i = 0; c < want && i < length; i++) {
    if (data[offset + i] === Number.NEGATIVE_INFINITY) outIds[outOffset + c++] = i;
  }
  fillLogprobs(data, offset, c, n, max, logSum, outIds, outLogprobs, outOffset);
}

/**
 * One draw from softmax(x / T) over the row loaded by `rowStatsKernel` (its `max`), with the uniform
 * u ∈ [0, 1): as sampleKernel (the fused float32 exp-and-sum keeps e_i and their block sums, then
 * the inverse-CDF walk finds the first token whose running sum exceeds u·S) without reloading the
 * row. Call it before any other kernel call (it reuses the loaded row's layout). Never a masked token.
 */
export function loadedDrawKernel(max: number, temperature: number, u: number): number {
  const b = loadedOrThrow();
  const S = b.k.expSum(cur.p, cur.n16, max, invT(temperature), lay.E, lay.BS);
  const j = b.k.drawIndex(lay.E, cur.n, lay.BS, u * S);
  return cur.mapped ? I[(lay.MAP >> 2) + j]! : j;
}
