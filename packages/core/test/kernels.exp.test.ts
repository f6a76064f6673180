import { afterAll, describe, expect, it } from "vitest";
import { expKernel, setKernelBackend } from "../src/kernels/dispatch.js";

// The error bound of the kernels' exp, measured against float64 Math.exp (an independent
// reference: correctly rounded to well under a float32 ulp). Documented bound: <= 2 ulp over
// [-87.3365, 0] (measured max 0.96 ulp); below about -87.68 exactly 0.

/** ulp of float32 at |v|: 2^(e-23) for normal v in [2^e, 2^(e+1)), 2^-149 for subnormal v. */
function ulpF32(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

/** Every `stride`-th float32 in [lo, 0] (walking the bit patterns of negative floats). */
function floatsDown(lo: number, stride: number, from = 0): Float32Array {
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  f[0] = -from;
  const out: number[] = [];
  for (let b = bits[0]!; ; b += stride) {
    bits[0] = b;
    if (!(f[0]! >= lo)) break;
    out.push(f[0]!);
  }
  return Float32Array.from(out);
}

function maxUlpError(xs: Float32Array): { max: number; at: number } {
  const ys = new Float32Array(xs.length);
  expKernel(xs, ys);
  let max = 0;
  let at = 0;
  for (let i = 0; i < xs.length; i++) {
    const ref = Math.exp(xs[i]!);
    const err = Math.abs(ys[i]! - ref) / ulpF32(ref);
    if (err > max) {
      max = err;
      at = xs[i]!;
    }
  }
  return { max, at };
}

const LO = Math.fround(-87.3365); // ln 2^-126: below it exp is subnormal in float32

describe.each(["wasm-simd", "js"] as const)("exp kernel (%s backend)", (backend) => {
  afterAll(() => setKernelBackend("auto"));

  it("is within 2 ulp of float64 exp on a dense sweep of [-87.3365, 0]", () => {
    setKernelBackend(backend);
    // ~1.4M floats spread over every binade of the range (a prime stride hits every mantissa pattern class).
    const xs = floatsDown(LO, backend === "js" ? 7919 : 797);
    expect(xs.length).toBeGreaterThan(backend === "js" ? 100_000 : 1_000_000);
    const { max } = maxUlpError(xs);
    expect(max).toBeLessThanOrEqual(2);
  });

  it("is within 2 ulp on uniform random points and on the range edges", () => {
    setKernelBackend(backend);
    let s = 12345;
    const xs = new Float32Array(200_000);
    for (let i = 0; i < xs.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      xs[i] = -87.3 * (s / 2 ** 32);
    }
    xs.set([0, -0, -1e-30, -1e-7, -0.34657359, -0.34657362, -Math.LN2, -1, -10, -87.3, LO], 0);
    expect(maxUlpError(xs).max).toBeLessThanOrEqual(2);
  });

  it("gives exactly 1 at 0 and exactly 0 for -Infinity and below -87.7", () => {
    setKernelBackend(backend);
    const xs = Float32Array.from([0, -0, Number.NEGATIVE_INFINITY, -87.7, -88, -100, -1e30, -3.4e38]);
    const ys = new Float32Array(xs.length);
    expKernel(xs, ys);
    expect(Array.from(ys)).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Object.is(ys[2], 0)).toBe(true); // +0, not -0
  });

  it("is subnormal, non-negative and non-increasing between -87.68 and -87.3365", () => {
    setKernelBackend(backend);
    const xs = floatsDown(-87.68, 1, -LO).filter((x) => x < Math.log(2 ** -126));
    expect(xs.length).toBeGreaterThan(40_000);
    const ys = new Float32Array(xs.length);
    expKernel(xs, ys);
    let bad = 0;
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i]!;
      // within 2 subnormal ulps (2^-149 each) of the float64 value, and monotone
      if (!(y >= 0 && y < 2 ** -126 && Math.abs(y - Math.exp(xs[i]!)) <= 2 ** -148)) bad++;
      if (i > 0 && y > ys[i - 1]!) bad++;
    }
    expect(bad).toBe(0);
  });
});
