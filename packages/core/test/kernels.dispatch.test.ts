import { afterAll, describe, expect, it } from "vitest";
import {
  decodeHalfKernel,
  logSoftmaxKernel,
  logSumExpKernel,
  maxKernel,
  sampleKernel,
  scoreHalfKernel,
  scoreKernel,
  setKernelBackend,
  softmaxKernel,
  topKKernel,
  topPKernel,
} from "../src/kernels/dispatch.js";

// The kernels' numeric contract, checked against float64 references written independently here.
// Every case runs on both backends.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomRow(seed: number, n: number, scale = 3): Float32Array {
  const r = rng(seed);
  const row = new Float32Array(n);
  for (let i = 0; i < n; i++) row[i] = (r() + r() + r() + r() - 2) * scale;
  return row;
}

/** float64 softmax of x / T (the reference). */
function refSoftmax(x: ArrayLike<number>, T = 1): number[] {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]!);
  const e = Array.from(x, (v) => Math.exp((v - m) / T));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

function refLse(x: ArrayLike<number>, T = 1): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]!);
  let z = 0;
  for (let i = 0; i < x.length; i++) z += Math.exp((x[i]! - m) / T);
  return m / T + Math.log(z);
}

const NEG = Number.NEGATIVE_INFINITY;

describe.each(["wasm-simd", "js"] as const)("kernels (%s backend)", (backend) => {
  afterAll(() => setKernelBackend("auto"));
  const use = () => setKernelBackend(backend);

  it("softmax matches the float64 reference to 2e-6 relative and sums to 1", () => {
    use();
    for (const [n, T] of [
      [1, 1],
      [5, 1],
      [37, 0.7],
      [1000, 1],
      [4099, 1.5],
      [20000, 0.8],
    ] as const) {
      const row = randomRow(n, n);
      const out = new Float32Array(n);
      softmaxKernel(row, 0, n, out, 0, T);
      const ref = refSoftmax(row, T);
      const max = row.reduce((a, v) => Math.max(a, v), NEG);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += out[i]!;
        // (x − max) is rounded to float32 before exp: |x − max| · 2^-24 relative, plus ~3 ulp
        const tol = 1e-6 + (Math.abs(row[i]! - max) / T) * 2 ** -23;
        expect(Math.abs(out[i]! - ref[i]!)).toBeLessThanOrEqual(tol * ref[i]! + 1e-30);
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
  });

  it("gives masked (-Infinity) tokens probability exactly 0 and log-probability -Infinity", () => {
    use();
    const row = Float32Array.from([1, NEG, 2, NEG, 0.5, 3, NEG, NEG, 1, 1, 1, 1, 1, 1, 1, 1, 2, NEG]);
    const p = new Float32Array(row.length);
    const lp = new Float32Array(row.length);
    softmaxKernel(row, 0, row.length, p, 0, 1);
    logSoftmaxKernel(row, 0, row.length, lp, 0, 1);
    const ref = refSoftmax(row);
    for (let i = 0; i < row.length; i++) {
      if (row[i] === NEG) {
        expect(Object.is(p[i], 0)).toBe(true);
        expect(lp[i]).toBe(NEG);
      } else {
        expect(p[i]).toBeCloseTo(ref[i]!, 6);
        expect(lp[i]).toBeCloseTo(Math.log(ref[i]!), 5);
      }
    }
  });

  it("is shift invariant and independent of the row's position in a buffer", () => {
    use();
    const row = randomRow(7, 333);
    const shifted = row.map((v) => v + 1000);
    const big = new Float32Array(1000);
    big.set(row, 123);
    const a = new Float32Array(333);
    const b = new Float32Array(333);
    const c = new Float32Array(340);
    softmaxKernel(row, 0, 333, a, 0, 1);
    softmaxKernel(shifted, 0, 333, b, 0, 1);
    softmaxKernel(big, 123, 333, c, 7, 1);
    for (let i = 0; i < 333; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    expect(Array.from(c.subarray(7))).toEqual(Array.from(a));
  });

  it("log-softmax and log-sum-exp match the float64 reference", () => {
    use();
    for (const [n, T] of [
      [3, 1],
      [100, 0.5],
      [5000, 1],
      [128_256, 1],
    ] as const) {
      const row = randomRow(n + 1, n);
      const lse = logSumExpKernel(row, 0, n, T);
      const ref = refLse(row, T);
      expect(Math.abs(lse - ref)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref)));
      const out = new Float32Array(n);
      logSoftmaxKernel(row, 0, n, out, 0, T);
      for (let i = 0; i < n; i += Math.max(1, n >> 8)) {
        const want = row[i]! / T - ref;
        expect(Math.abs(out[i]! - want)).toBeLessThan(4e-6 * Math.max(1, Math.abs(want)));
      }
    }
  });

  it("reports invalid rows through the max: NaN, +Infinity, all -Infinity, empty", () => {
    use();
    const out = new Float32Array(20);
    expect(maxKernel(Float32Array.from([1, Number.NaN, 2]), 0, 3)).toBeNaN();
    expect(softmaxKernel(Float32Array.from([1, Number.NaN, 2]), 0, 3, out, 0, 1)).toBeNaN();
    expect(logSoftmaxKernel(Float32Array.from([1, Number.POSITIVE_INFINITY]), 0, 2, out, 0, 1)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(logSumExpKernel(Float32Array.from([NEG, NEG]), 0, 2, 1)).toBe(NEG);
    expect(maxKernel(new Float32Array(0), 0, 0)).toBe(NEG);
    expect(sampleKernel(Float32Array.from([NEG]), 0, 1, 1, 0.5)).toBe(-1);
    expect(scoreKernel(Float32Array.from([0, Number.NaN]), 0, 2, 0).max).toBeNaN();
  });

  it("scores a target: logprob, rank = 1 + count strictly greater (ties share a rank), entropy", () => {
    use();
    const row = Float32Array.from([2, 5, 3, 5, NEG, 1, 3, 0]);
    const lse = refLse(row);
    const p = refSoftmax(row);
    const entropy = -p.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
    const cases: [number, number][] = [
      [1, 1],
      [3, 1],
      [2, 3],
      [6, 3],
      [0, 5],
      [5, 6],
      [7, 7],
      [4, 8],
    ];
    for (const [t, rank] of cases) {
      const s = scoreKernel(row, 0, row.length, t);
      expect(s.rank).toBe(rank);
      if (row[t] === NEG) expect(s.logprob).toBe(NEG);
      else expect(s.logprob).toBeCloseTo(row[t]! - lse, 6);
      expect(s.entropy).toBeCloseTo(entropy, 6);
      expect(s.logSumExp).toBeCloseTo(lse, 6);
    }
    const none = scoreKernel(row, 0, row.length, -1);
    expect(none.logprob).toBeNaN();
    expect(none.rank).toBe(0);
  });

  it("scores a 128,256-token float16 row like the float64 reference on the decoded values", () => {
    use();
    const n = 128_256;
    const r = rng(5);
    const bytes = new Uint8Array(2 * n + 6);
    const view = new DataView(bytes.buffer);
    const decoded = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // random finite float16 in about ±12: sign, exponent 10..17, random mantissa
      const h = (r() < 0.5 ? 0x8000 : 0) | ((10 + Math.floor(r() * 8)) << 10) | Math.floor(r() * 1024);
      view.setUint16(6 + 2 * i, h, true);
      decoded[i] = (h & 0x8000 ? -1 : 1) * 2 ** (((h >> 10) & 31) - 15) * (1 + (h & 1023) / 1024);
    }
    const s = scoreHalfKernel(bytes, 6, n, "f16", 4321);
    const lse = refLse(decoded);
    expect(s.logprob).toBeCloseTo(decoded[4321]! - lse, 5);
    let greater = 0;
    for (let i = 0; i < n; i++) if (decoded[i]! > decoded[4321]!) greater++;
    expect(s.rank).toBe(1 + greater);
  });

  it("decodes float16 and bfloat16 exactly, including subnormals, ±0, ±Infinity and NaN", () => {
    use();
    const f16 = [
      0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x8000, 0x0000, 0x7c00, 0xfc00, 0x3555, 0x7e00,
    ];
    const want16 = [
      1,
      -2,
      65504,
      2 ** -24,
      1023 * 2 ** -24,
      2 ** -14,
      -0,
      0,
      Infinity,
      -Infinity,
      0.333251953125,
    ];
    const bytes = new Uint8Array(new Uint16Array(f16).buffer);
    const out = new Float32Array(f16.length);
    decodeHalfKernel(bytes, 0, f16.length, "f16", out);
    want16.forEach((w, i) => {
      expect(Object.is(out[i], w)).toBe(true);
    });
    expect(out[11]).toBeNaN();
    // every float16 pattern against the definition
    const all = new Uint16Array(65536).map((_, i) => i);
    const dec = new Float32Array(65536);
    decodeHalfKernel(new Uint8Array(all.buffer), 0, 65536, "f16", dec);
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const e = (h >> 10) & 31;
      const m = h & 1023;
      const sign = h & 0x8000 ? -1 : 1;
      const v =
        e === 31
          ? m
            ? Number.NaN
            : sign * Infinity
          : sign * (e ? 2 ** (e - 15) * (1 + m / 1024) : m * 2 ** -24);
      if (!Object.is(dec[h], v) && !(Number.isNaN(v) && Number.isNaN(dec[h]!))) bad++;
    }
    expect(bad).toBe(0);
    const bf = Uint16Array.from([0x3f80, 0xc040, 0x0001, 0x7f80, 0x8000]);
    const obf = new Float32Array(5);
    decodeHalfKernel(new Uint8Array(bf.buffer), 0, 5, "bf16", obf);
    expect(Array.from(obf)).toEqual([1, -3, 2 ** -133, Infinity, -0]);
  });

  it("top-k returns the k highest, value descending, lower id first on ties, never masked", () => {
    use();
    const row = Float32Array.from([1, 3, NEG, 3, 2, 5, 2, NEG, 0, 5, 4]);
    const ids = new Int32Array(11);
    const vals = new Float64Array(11);
    expect(topKKernel(row, 0, 11, 4, ids, vals)).toBe(4);
    expect(Array.from(ids.subarray(0, 4))).toEqual([5, 9, 10, 1]);
    expect(Array.from(vals.subarray(0, 4))).toEqual([5, 5, 4, 3]);
    expect(topKKernel(row, 0, 11, 100, ids, vals)).toBe(9);
    expect(Array.from(ids.subarray(0, 9))).toEqual([5, 9, 10, 1, 3, 4, 6, 0, 8]);
    expect(topKKernel(row, 0, 11, 0, ids, vals)).toBe(0);
    // a big random row against a full sort
    const big = randomRow(11, 50_000);
    const want = Array.from(big.keys())
      .sort((a, b) => big[b]! - big[a]! || a - b)
      .slice(0, 40);
    const bi = new Int32Array(40);
    topKKernel(big, 0, big.length, 40, bi, new Float32Array(40));
    expect(Array.from(bi)).toEqual(want);
  });

  it("top-p keeps the smallest most-likely set with mass >= p (ascending ids), matching a full-sort reference", () => {
    use();
    for (const [n, T, seed] of [
      [10, 1, 1],
      [1000, 0.8, 2],
      [40_000, 1, 3],
    ] as const) {
      const row = randomRow(seed, n);
      const probs = refSoftmax(row, T);
      const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
      const prefix: number[] = [];
      let acc = 0;
      for (const id of order) {
        acc += probs[id]!;
        prefix.push(acc);
      }
      // p halfway between two prefix sums, so float32 rounding cannot move the cut
      for (const q of [0.3, 0.9, 0.95]) {
        const c = prefix.findIndex((v) => v >= q);
        const p = (prefix[c]! + (c > 0 ? prefix[c - 1]! : 0)) / 2;
        const ids = new Int32Array(n);
        const got = topPKernel(row, 0, n, T, p, ids);
        expect(got).toBe(c + 1);
        // the same set, in ascending id order
        expect(Array.from(ids.subarray(0, got))).toEqual(order.slice(0, c + 1).sort((a, b) => a - b));
      }
    }
    const ids = new Int32Array(4);
    const row = Float32Array.from([0, NEG, 1, 2]);
    expect(topPKernel(row, 0, 4, 1, 1, ids)).toBe(3); // p = 1: every token with p > 0
    expect(Array.from(ids.subarray(0, 3))).toEqual([0, 2, 3]);
  });

  it("draws by inverse CDF: evenly spaced uniforms give counts proportional to the probabilities", () => {
    use();
    const row = Float32Array.from([0, NEG, 1, 2, -1, NEG]);
    const p = refSoftmax(row, 0.9);
    const N = 20_000;
    const counts = new Array(row.length).fill(0);
    for (let i = 0; i < N; i++) counts[sampleKernel(row, 0, row.length, 0.9, (i + 0.5) / N)]++;
    for (let t = 0; t < row.length; t++) expect(Math.abs(counts[t] - N * p[t]!)).toBeLessThanOrEqual(2);
    expect(counts[1]).toBe(0);
    expect(counts[5]).toBe(0);
    expect(sampleKernel(row, 0, row.length, 1, 0)).toBe(0);
    expect(sampleKernel(row, 0, row.length, 1, 1 - 2 ** -53)).toBe(4);
  });

  it("draws from a long row across summation blocks like the float64 inverse CDF", () => {
    use();
    const n = 10_000;
    const row = randomRow(17, n, 1);
    const p = refSoftmax(row);
    const cdf: number[] = [];
    let acc = 0;
    for (const v of p) {
      acc += v;
      cdf.push(acc);
    }
    for (const u of [0.001, 0.25, 0.5, 0.75, 0.999]) {
      const want = cdf.findIndex((c) => c > u);
      const got = sampleKernel(row, 0, n, 1, u);
      // float32 probabilities can move the boundary by at most a neighbour
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1);
    }
  });

  it("reuses its scratch memory across rows of growing and shrinking length", () => {
    use();
    for (const n of [10, 100_000, 17, 300_000, 3]) {
      const row = randomRow(n, n);
      expect(logSumExpKernel(row, 0, n, 1)).toBeCloseTo(refLse(row), 5);
    }
  });
});
