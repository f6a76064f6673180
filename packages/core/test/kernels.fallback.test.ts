import { afterAll, describe, expect, it } from "vitest";
import {
  decodeHalfKernel,
  kernelBackend,
  logSoftmaxKernel,
  logSumExpKernel,
  maxKernel,
  rowStatsKernel,
  sampleKernel,
  scoreHalfKernel,
  scoreKernel,
  setKernelBackend,
  softmaxKernel,
  topKKernel,
  topPKernel,
} from "../src/kernels/dispatch.js";

// The JavaScript fallback must return exactly the bits of the WebAssembly SIMD path: every kernel
// is run on the same seeded random rows through both backends and the outputs compared bit by bit
// (Float32Array -> Uint32Array views; numbers with Object.is).

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A random row: normal-ish logits of the given scale, some masked, some tied, optional outliers. */
function makeRow(r: () => number, n: number, scale: number): Float32Array {
  const row = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.05) row[i] = Number.NEGATIVE_INFINITY;
    else if (u < 0.1 && i > 0)
      row[i] = row[i - 1]!; // ties
    else if (u < 0.12)
      row[i] = (r() - 0.5) * 400; // far below/above: exercises the flush to 0
    else row[i] = (r() + r() + r() - 1.5) * scale;
  }
  if (n > 0 && row.every((x) => x === Number.NEGATIVE_INFINITY)) row[0] = 0;
  return row;
}

const LENGTHS = [1, 2, 7, 8, 15, 16, 17, 31, 33, 100, 1023, 1024, 1025, 2047, 3000, 5003];
const TEMPS = [1, 0.7, 1.3, 0.05];

type Result = Record<string, unknown>;

function runAll(seed: number): Result[] {
  const r = rng(seed);
  const results: Result[] = [];
  for (const n of LENGTHS) {
    const scale = [0.5, 3, 20][Math.floor(r() * 3)]!;
    const row = makeRow(r, n, scale);
    const T = TEMPS[Math.floor(r() * TEMPS.length)]!;
    const sm = new Float32Array(n + 3);
    const lsm = new Float32Array(n);
    const out: Result = { n, T };
    out.max = maxKernel(row, 0, n);
    out.sm = softmaxKernel(row, 0, n, sm, 3, T);
    out.smBits = new Uint32Array(sm.buffer);
    out.lsm = logSoftmaxKernel(row, 0, n, lsm, 0, T);
    out.lsmBits = new Uint32Array(lsm.buffer);
    out.lse = logSumExpKernel(row, 0, n, T);
    const target = Math.floor(r() * n);
    out.score = { ...scoreKernel(row, 0, n, target) };
    out.stats = { ...rowStatsKernel(row, 0, n, 1 / T, true) }; // normalizer + moment at T
    out.statsPlain = { ...rowStatsKernel(row, 0, n, 1 / T, false) };
    const k = 1 + Math.floor(r() * 50);
    const ids = new Int32Array(k);
    const vals = new Float32Array(k);
    out.topK = topKKernel(row, 0, n, k, ids, vals);
    out.topKIds = ids;
    out.topKBits = new Uint32Array(vals.buffer);
    const nucleus = new Int32Array(n);
    const p = [0.1, 0.5, 0.9, 0.95, 0.999, 1][Math.floor(r() * 6)]!;
    out.topP = topPKernel(row, 0, n, T, p, nucleus);
    out.nucleus = nucleus;
    out.draws = [0, r(), r(), r(), 1 - 2 ** -53].map((u) => sampleKernel(row, 0, n, T, u));
    // strided: the same row inside a larger buffer
    const big = new Float32Array(n + 10);
    big.set(row, 5);
    const sm2 = new Float32Array(n);
    softmaxKernel(big, 5, n, sm2, 0, T);
    out.stridedBits = new Uint32Array(sm2.buffer);
    results.push(out);
  }
  return results;
}

function normalize(v: unknown): unknown {
  // Object.is-exact numbers (NaN, -0) as strings so toEqual compares them exactly.
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

describe("JavaScript fallback vs WebAssembly SIMD", () => {
  afterAll(() => setKernelBackend("auto"));

  it("the SIMD backend is the one chosen here (Node has WebAssembly SIMD)", () => {
    setKernelBackend("auto");
    expect(kernelBackend()).toBe("wasm-simd");
    setKernelBackend("js");
    expect(kernelBackend()).toBe("js");
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`gives bit-identical results for every kernel on random rows (seed ${seed})`, () => {
      setKernelBackend("wasm-simd");
      const a = normalize(runAll(seed));
      setKernelBackend("js");
      const b = normalize(runAll(seed));
      expect(b).toEqual(a);
    });
  }

  it("gives bit-identical results on a 128,256-token row", () => {
    const r = rng(99);
    const n = 128_256;
    const row = makeRow(r, n, 3);
    const run = () => {
      const sm = new Float32Array(n);
      const lsm = new Float32Array(n);
      softmaxKernel(row, 0, n, sm, 0, 0.8);
      logSoftmaxKernel(row, 0, n, lsm, 0, 1);
      const nucleus = new Int32Array(n);
      const c = topPKernel(row, 0, n, 0.8, 0.95, nucleus);
      return normalize({
        sm: new Uint32Array(sm.buffer),
        lsm: new Uint32Array(lsm.buffer),
        lse: logSumExpKernel(row, 0, n, 1),
        score: { ...scoreKernel(row, 0, n, 1234) },
        nucleus: nucleus.subarray(0, c),
        draw: sampleKernel(row, 0, n, 0.8, 0.5),
      });
    };
    setKernelBackend("wasm-simd");
    const a = run();
    setKernelBackend("js");
    expect(run()).toEqual(a);
  });

  it("decodes every float16 and bfloat16 bit pattern identically", () => {
    const bytes = new Uint8Array(65536 * 2);
    const u16 = new Uint16Array(bytes.buffer);
    for (let i = 0; i < 65536; i++) u16[i] = i;
    const run = (dtype: "f16" | "bf16") => {
      const out = new Float32Array(65536);
      decodeHalfKernel(bytes, 0, 65536, dtype, out);
      return Array.from(new Uint32Array(out.buffer));
    };
    setKernelBackend("wasm-simd");
    const a16 = run("f16");
    const abf = run("bf16");
    const aScore = { ...scoreHalfKernel(bytes, 2 * 100, 1000, "f16", 7) };
    setKernelBackend("js");
    expect(run("f16")).toEqual(a16);
    expect(run("bf16")).toEqual(abf);
    expect({ ...scoreHalfKernel(bytes, 2 * 100, 1000, "f16", 7) }).toEqual(aScore);
  });
});
