/**
 * Plain JavaScript twin of the WebAssembly SIMD kernels (assembly/kernels.ts), used where
 * WebAssembly SIMD is unavailable. Every float32 operation of the SIMD code is reproduced with
 * `Math.fround` (an f64 operation on f32 inputs rounded once to f32 equals the f32 operation for
 * + − × ÷), lane by lane and in the same order, so results are bit-identical to the SIMD path.
 * Keep the two files in step: test/kernels.fallback.test.ts compares every bit.
 */
import { BLOCK, type KernelBackend, type KernelExports } from "./backend.js";

const f = Math.fround;

// The constants of assembly/kernels.ts, rounded to f32 as the compiler does.
const L2E = f(1.44269502);
const MAGIC = f(12583039.0);
const LN2HI = f(0.693359375);
const LN2LO = f(-2.1219444e-4);
const XMIN = f(-88.0);
const C0 = f(0.49999994);
const C1 = f(0.16666521);
const C2 = f(0.041668389);
const C3 = f(0.008368711);
const C4 = f(0.0013814605);

/** 2^n as the SIMD code builds it: the float whose bits are ((n + 127) mod 512) << 23. */
const POW2 = (() => {
  const bits = new Int32Array(512);
  for (let i = 0; i < 512; i++) bits[i] = i << 23;
  return new Float32Array(bits.buffer);
})();

/** f32x4.pmax for one lane: `a < b ? b : a` — keeps `a` on ties (−0 vs +0), unlike Math.max. */
function pmax(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: the exact pmax semantics are the point
  return a < b ? b : a;
}

/** One lane of `expk` in assembly/kernels.ts. */
function expf(x: number): number {
  x = pmax(x, XMIN);
  const t = f(f(x * L2E) + MAGIC);
  const n = f(t - MAGIC);
  let r = f(x - f(n * LN2HI));
  r = f(r - f(n * LN2LO));
  const r2 = f(r * r);
  let q = f(f(C4 * r) + C3);
  q = f(f(q * r) + C2);
  q = f(f(q * r) + C1);
  q = f(f(q * r) + C0);
  const p = f(f(f(q * r2) + r) + 1);
  return f(p * POW2[(n + 127) & 511]!);
}

/** A logit shifted by the row max and scaled by s = fround(1/T), rounded to float32 as the kernels do. */
function shifted(x: number, m: number, s: number): number {
  const d = f(x - m);
  return s === 1 ? d : f(d * s);
}

/** A JavaScript backend over an ArrayBuffer laid out exactly like the WebAssembly memory. */
export function createFallbackBackend(): KernelBackend {
  let buf = new ArrayBuffer(1 << 16);
  let F = new Float32Array(buf);
  let I = new Int32Array(buf);
  let D = new Float64Array(buf);
  let U16 = new Uint16Array(buf);
  let U32 = new Uint32Array(buf);
  let negInf = 0;
  let moment = 0;

  function expLoop(p: number, n16: number, m: number, s: number, out: number, bs: number): number {
    const keep = out !== 0;
    const P = p >> 2;
    const O = out >> 2;
    let total = 0;
    for (let start = 0; start < n16; start += BLOCK) {
      const end = Math.min(start + BLOCK, n16);
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = start; i < end; i += 16) {
        for (let l = 0; l < 4; l++) {
          const ea = expf(shifted(F[P + i + l]!, m, s));
          const eb = expf(shifted(F[P + i + 4 + l]!, m, s));
          const ec = expf(shifted(F[P + i + 8 + l]!, m, s));
          const ed = expf(shifted(F[P + i + 12 + l]!, m, s));
          if (keep) {
            F[O + i + l] = ea;
            F[O + i + 4 + l] = eb;
            F[O + i + 8 + l] = ec;
            F[O + i + 12 + l] = ed;
          }
          const sum = f(f(ea + eb) + f(ec + ed));
          if (l === 0) a0 = f(a0 + sum);
          else if (l === 1) a1 = f(a1 + sum);
          else if (l === 2) a2 = f(a2 + sum);
          else a3 = f(a3 + sum);
        }
      }
      const b = a0 + a1 + a2 + a3;
      D[(bs >> 3) + start / BLOCK] = b;
      total += b;
    }
    return total;
  }

  function worse(v: number, i: number, w: number, j: number): boolean {
    return v < w || (v === w && i > j);
  }
  function siftDown(hv: number, hi: number, size: number, pos: number): void {
    const v = F[hv + pos]!;
    const id = I[hi + pos]!;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= size) break;
      let cv = F[hv + c]!;
      let ci = I[hi + c]!;
      if (c + 1 < size) {
        const rv = F[hv + c + 1]!;
        const ri = I[hi + c + 1]!;
        if (worse(rv, ri, cv, ci)) {
          c++;
          cv = rv;
          ci = ri;
        }
      }
      if (!worse(cv, ci, v, id)) break;
      F[hv + pos] = cv;
      I[hi + pos] = ci;
      pos = c;
    }
    F[hv + pos] = v;
    I[hi + pos] = id;
  }
  function siftUp(hv: number, hi: number, pos: number): void {
    const v = F[hv + pos]!;
    const id = I[hi + pos]!;
    while (pos > 0) {
      const par = (pos - 1) >> 1;
      const pv = F[hv + par]!;
      const pi = I[hi + par]!;
      if (!worse(v, id, pv, pi)) break;
      F[hv + pos] = pv;
      I[hi + pos] = pi;
      pos = par;
    }
    F[hv + pos] = v;
    I[hi + pos] = id;
  }

  const k: KernelExports = {
    maxF32(p, n16) {
      const P = p >> 2;
      const ma = [-Infinity, -Infinity, -Infinity, -Infinity];
      const mb = [-Infinity, -Infinity, -Infinity, -Infinity];
      let nan = false;
      negInf = 0;
      for (let i = 0; i < n16; i += 8) {
        for (let l = 0; l < 4; l++) {
          const a = F[P + i + l]!;
          const b = F[P + i + 4 + l]!;
          if (ma[l]! < a) ma[l] = a;
          if (mb[l]! < b) mb[l] = b;
          if (Number.isNaN(a) || Number.isNaN(b)) nan = true;
          if (a === Number.NEGATIVE_INFINITY) negInf++;
          if (b === Number.NEGATIVE_INFINITY) negInf++;
        }
      }
      if (nan) return Number.NaN;
      const m = [0, 0, 0, 0];
      for (let l = 0; l < 4; l++) m[l] = pmax(ma[l]!, mb[l]!);
      let r = m[0]!;
      if (r < m[1]!) r = m[1]!;
      if (r < m[2]!) r = m[2]!;
      if (r < m[3]!) r = m[3]!;
      return r;
    },
    lastNegInf() {
      return negInf;
    },
    compactFinite(p, n, outVal, outIdx) {
      const P = p >> 2;
      const V = outVal >> 2;
      const X = outIdx >> 2;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const x = F[P + i]!;
        if (x > Number.NEGATIVE_INFINITY) {
          F[V + c] = x;
          I[X + c++] = i;
        }
      }
      return c;
    },
    scatterF32(src, idx, m, dst, n) {
      const S = src >> 2;
      const X = idx >> 2;
      const O = dst >> 2;
      F.fill(0, O, O + n);
      for (let j = 0; j < m; j++) F[O + I[X + j]!] = F[S + j]!;
    },
    expSum(p, n16, m, s, out, bs) {
      return expLoop(p, n16, f(m), f(s), out, bs);
    },
    expSumMoment(p, n16, m, s, bs) {
      m = f(m);
      s = f(s);
      const P = p >> 2;
      let total = 0;
      let mom = 0;
      for (let start = 0; start < n16; start += BLOCK) {
        const end = Math.min(start + BLOCK, n16);
        const acc = [0, 0, 0, 0];
        const h = [0, 0, 0, 0];
        for (let i = start; i < end; i += 16) {
          for (let l = 0; l < 4; l++) {
            const da = pmax(shifted(F[P + i + l]!, m, s), XMIN);
            const db = pmax(shifted(F[P + i + 4 + l]!, m, s), XMIN);
            const dc = pmax(shifted(F[P + i + 8 + l]!, m, s), XMIN);
            const dd = pmax(shifted(F[P + i + 12 + l]!, m, s), XMIN);
            const ea = expf(da);
            const eb = expf(db);
            const ec = expf(dc);
            const ed = expf(dd);
            acc[l] = f(acc[l]! + f(f(ea + eb) + f(ec + ed)));
            h[l] = f(h[l]! + f(f(f(ea * da) + f(eb * db)) + f(f(ec * dc) + f(ed * dd))));
          }
        }
        const blk = acc[0]! + acc[1]! + acc[2]! + acc[3]!;
        D[(bs >> 3) + start / BLOCK] = blk;
        total += blk;
        mom += h[0]! + h[1]! + h[2]! + h[3]!;
      }
      moment = mom;
      return total;
    },
    lastMoment() {
      return moment;
    },
    logSoftmaxWrite64(src, n16, m, s, c, dst) {
      const S = src >> 2;
      const O = dst >> 2;
      if (s === 1) for (let i = 0; i < n16; i++) F[O + i] = F[S + i]! - m - c;
      else for (let i = 0; i < n16; i++) F[O + i] = (F[S + i]! - m) * s - c;
    },
    logSoftmaxWrite32(src, n16, m, c, dst) {
      // float32 subtractions, each rounded (an f32 op evaluated in float64 and rounded gives the same
      // bits: 53 ≥ 2·24 + 2); the store into F rounds the second.
      const S = src >> 2;
      const O = dst >> 2;
      m = f(m);
      c = f(c);
      for (let i = 0; i < n16; i++) F[O + i] = f(F[S + i]! - m) - c;
    },
    scaleF32(src, n16, fac, dst) {
      const S = src >> 2;
      const O = dst >> 2;
      fac = f(fac);
      for (let i = 0; i < n16; i++) F[O + i] = f(F[S + i]! * fac);
    },
    countGt(p, n16, t) {
      const P = p >> 2;
      t = f(t);
      let c = 0;
      for (let i = 0; i < n16; i++) if (F[P + i]! > t) c++;
      return c;
    },
    massGe(p, n16, t) {
      const P = p >> 2;
      t = f(t);
      let total = 0;
      for (let start = 0; start < n16; start += BLOCK) {
        const end = Math.min(start + BLOCK, n16);
        const acc = [0, 0, 0, 0];
        for (let i = start; i < end; i += 16) {
          for (let l = 0; l < 4; l++) {
            const a = F[P + i + l]!;
            const b = F[P + i + 4 + l]!;
            const c = F[P + i + 8 + l]!;
            const d = F[P + i + 12 + l]!;
            const ma = a >= t ? a : 0;
            const mb = b >= t ? b : 0;
            const mc = c >= t ? c : 0;
            const md = d >= t ? d : 0;
            acc[l] = f(acc[l]! + f(f(ma + mb) + f(mc + md)));
          }
        }
        total += acc[0]! + acc[1]! + acc[2]! + acc[3]!;
      }
      return total;
    },
    collectRange(p, n, lo, hi, idx) {
      const P = p >> 2;
      const X = idx >> 2;
      lo = f(lo);
      hi = f(hi);
      let c = 0;
      for (let i = 0; i < n; i++) {
        const x = F[P + i]!;
        if (x >= lo && x < hi) I[X + c++] = i;
      }
      return c;
    },
    topK(p, n16, kk, outIdx, outVal) {
      if (kk <= 0) return 0;
      const P = p >> 2;
      const hi = outIdx >> 2;
      const hv = outVal >> 2;
      let size = 0;
      let thr = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n16; i++) {
        const x = F[P + i]!;
        if (!(x > thr)) continue;
        if (size < kk) {
          F[hv + size] = x;
          I[hi + size] = i;
          siftUp(hv, hi, size);
          size++;
          if (size === kk) thr = F[hv]!;
        } else {
          F[hv] = x;
          I[hi] = i;
          siftDown(hv, hi, size, 0);
          thr = F[hv]!;
        }
      }
      for (let end = size - 1; end > 0; end--) {
        const v = F[hv]!;
        const id = I[hi]!;
        F[hv] = F[hv + end]!;
        I[hi] = I[hi + end]!;
        F[hv + end] = v;
        I[hi + end] = id;
        siftDown(hv, hi, end, 0);
      }
      return size;
    },
    drawIndex(e, n, bs, r) {
      const E = e >> 2;
      const B = bs >> 3;
      const nb = Math.floor((n + BLOCK - 1) / BLOCK);
      let b = 0;
      for (; b < nb - 1; b++) {
        const s = D[B + b]!;
        if (r < s) break;
        r -= s;
      }
      const end = Math.min((b + 1) * BLOCK, n);
      let last = -1;
      let cum = 0;
      for (let i = b * BLOCK; i < end; i++) {
        const v = F[E + i]!;
        if (v > 0) {
          cum += v;
          last = i;
          if (cum > r) return i;
        }
      }
      if (last >= 0) return last;
      for (let i = b * BLOCK - 1; i >= 0; i--) if (F[E + i]! > 0) return i;
      return -1;
    },
    decodeF16(src, n, dst) {
      const S = src >> 1;
      const O = dst >> 2;
      for (let i = 0; i < n; i++) {
        const h = U16[S + i]!;
        const sign = (h & 0x8000) << 16;
        const e = h & 0x7c00;
        const m = h & 0x3ff;
        if (e === 0x7c00) U32[O + i] = (sign | 0x7f800000 | (m << 13)) >>> 0;
        else if (e === 0) {
          F[O + i] = m * 2 ** -24; // exact (subnormal or zero)
          U32[O + i] = (U32[O + i]! | sign) >>> 0;
        } else U32[O + i] = (sign | (((h & 0x7fff) << 13) + (112 << 23))) >>> 0;
      }
    },
    decodeBF16(src, n, dst) {
      const S = src >> 1;
      const O = dst >> 2;
      for (let i = 0; i < n; i++) U32[O + i] = (U16[S + i]! << 16) >>> 0;
    },
    expArray(src, n, dst) {
      const S = src >> 2;
      const O = dst >> 2;
      for (let i = 0; i < n; i++) F[O + i] = expf(F[S + i]!);
    },
    heapBase() {
      return 1024;
    },
  };

  return {
    name: "js",
    k,
    buffer: () => buf,
    ensureBytes(bytes: number) {
      if (bytes <= buf.byteLength) return;
      let size = buf.byteLength;
      while (size < bytes) size *= 2;
      const next = new ArrayBuffer(size);
      new Uint8Array(next).set(new Uint8Array(buf));
      buf = next;
      F = new Float32Array(buf);
      I = new Int32Array(buf);
      D = new Float64Array(buf);
      U16 = new Uint16Array(buf);
      U32 = new Uint32Array(buf);
    },
  };
}
