import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidParamsError } from "../src/errors.js";
import { createLmHead } from "../src/lmHead.js";

type Dtype = "f32" | "f16" | "bf16";

/** A small deterministic generator (LCG), so every case is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** float16 bits → number, from the IEEE 754 binary16 definition. */
function f16Value(b: number): number {
  const e = (b >> 10) & 31;
  const m = b & 1023;
  const v = e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15);
  return b & 0x8000 ? -v : v;
}
/** bfloat16 bits → number: the upper half of a float32. */
function bf16Value(b: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, b << 16);
  return dv.getFloat32(0);
}

/** Random weights of V × d as little-endian bytes plus their exact values (float64). */
function weights(
  dtype: Dtype,
  v: number,
  d: number,
  seed: number,
): { bytes: Uint8Array; values: Float64Array } {
  const r = rng(seed);
  const n = v * d;
  const values = new Float64Array(n);
  const bytes = new Uint8Array(n * (dtype === "f32" ? 4 : 2));
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    if (dtype === "f32") {
      const x = Math.fround((r() - 0.5) * 2);
      dv.setFloat32(4 * i, x, true);
      values[i] = x;
    } else if (dtype === "f16") {
      // sign, exponent 5..20 (values ~2^-10 .. 2^5), any mantissa; plus some subnormals
      const b =
        ((r() < 0.5 ? 0x8000 : 0) |
          ((r() < 0.05 ? 0 : 5 + Math.floor(r() * 16)) << 10) |
          Math.floor(r() * 1024)) &
        0xffff;
      dv.setUint16(2 * i, b, true);
      values[i] = f16Value(b);
    } else {
      const b =
        ((r() < 0.5 ? 0x8000 : 0) | ((120 + Math.floor(r() * 10)) << 7) | Math.floor(r() * 128)) & 0xffff;
      dv.setUint16(2 * i, b, true);
      values[i] = bf16Value(b);
    }
  }
  return { bytes, values };
}

function hiddenVectors(count: number, d: number, seed: number): Float32Array {
  const r = rng(seed);
  const h = new Float32Array(count * d);
  for (let i = 0; i < h.length; i++) h[i] = (r() - 0.5) * 8;
  return h;
}

/** The documented float32 order, written from the doc comment: 8 lanes, then (v0+v1)+(v2+v3). */
function documentedDot(h: Float32Array, ho: number, w: Float64Array, wo: number, d: number): number {
  const f = Math.fround;
  const lanes = [0, 0, 0, 0, 0, 0, 0, 0];
  const padded = Math.ceil(d / 8) * 8;
  for (let i = 0; i < padded; i++) {
    const prod = i < d ? f(h[ho + i]! * w[wo + i]!) : 0;
    lanes[i % 8] = f(lanes[i % 8]! + prod);
  }
  const v = [0, 1, 2, 3].map((j) => f(lanes[j]! + lanes[j + 4]!));
  return f(f(v[0]! + v[1]!) + f(v[2]! + v[3]!));
}

function run(
  dtype: Dtype,
  backend: "js" | "wasm",
  h: Float32Array,
  count: number,
  d: number,
  v: number,
  bytes: Uint8Array,
  windowBytes?: number,
): Float32Array {
  const head = createLmHead({
    d,
    vocab: v,
    dtype,
    backend,
    maxCount: count,
    ...(windowBytes ? { windowBytes } : {}),
  });
  head.setHidden(h, count);
  head.push(bytes, 0, 0, v);
  return head.logits.slice(0, count * v);
}

const CASES: readonly { dtype: Dtype; d: number; v: number; count: number }[] = [
  { dtype: "f32", d: 64, v: 37, count: 1 },
  { dtype: "f32", d: 13, v: 50, count: 5 }, // d not a multiple of the SIMD width (4 lanes, 8 per step)
  { dtype: "f32", d: 7, v: 9, count: 4 },
  { dtype: "f16", d: 30, v: 41, count: 3 },
  { dtype: "f16", d: 128, v: 20, count: 9 },
  { dtype: "bf16", d: 33, v: 25, count: 6 },
  { dtype: "bf16", d: 1, v: 5, count: 2 },
];

describe("createLmHead: logits", () => {
  for (const { dtype, d, v, count } of CASES) {
    it(`${dtype} d=${d} V=${v} count=${count}: within the float32 bound of a float64 matmul, and the documented order exactly`, () => {
      const { bytes, values } = weights(dtype, v, d, d * 31 + v);
      const h = hiddenVectors(count, d, v);
      for (const backend of ["js", "wasm"] as const) {
        const got = run(dtype, backend, h, count, d, v, bytes, 3 * d * 4); // several windows
        for (let p = 0; p < count; p++) {
          for (let r = 0; r < v; r++) {
            let ref = 0;
            let abs = 0;
            for (let i = 0; i < d; i++) {
              ref += h[p * d + i]! * values[r * d + i]!;
              abs += Math.abs(h[p * d + i]! * values[r * d + i]!);
            }
            // float32 products and a sum of depth ≤ d/8 + 3: |error| ≤ (d/8 + 4) · 2^-24 · Σ|h·w| (+ rounding of the result).
            const bound = (Math.ceil(d / 8) + 4) * 2 ** -24 * abs + 2 ** -24 * Math.abs(ref) + 1e-30;
            const x = got[p * v + r]!;
            expect(Math.abs(x - ref)).toBeLessThanOrEqual(bound);
            expect(x).toBe(documentedDot(h, p * d, values, r * d, d));
          }
        }
      }
    });
  }

  it("WebAssembly SIMD and the JavaScript fallback agree bit for bit (property)", () => {
    expect(createLmHead({ d: 1, vocab: 1, dtype: "f32" }).backend).toBe("wasm-simd");
    fc.assert(
      fc.property(
        fc.constantFrom<Dtype>("f32", "f16", "bf16"),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 1e6 }),
        (dtype, d, v, count, seed) => {
          const { bytes } = weights(dtype, v, d, seed);
          const h = hiddenVectors(count, d, seed + 1);
          const a = run(dtype, "js", h, count, d, v, bytes);
          const b = run(dtype, "wasm", h, count, d, v, bytes, d * 2 * 2);
          expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
        },
      ),
      { numRuns: 60, seed: 20 },
    );
  });

  it("splitting V into slices in any order gives the same bits", () => {
    const d = 19;
    const v = 23;
    const { bytes } = weights("f32", v, d, 7);
    const h = hiddenVectors(3, d, 8);
    const whole = run("f32", "wasm", h, 3, d, v, bytes);
    const head = createLmHead({ d, vocab: v, dtype: "f32", maxCount: 3 });
    head.setHidden(h, 3);
    for (const [a, b] of [
      [17, 23],
      [0, 5],
      [5, 17],
    ] as const)
      head.push(bytes, a * d * 4, a, b - a);
    expect(head.logits.slice(0, 3 * v)).toEqual(whole);
  });

  it("top: hand-worked probabilities of logits [1, 2, 3]", () => {
    const head = createLmHead({ d: 2, vocab: 3, dtype: "f32" });
    head.setHidden(new Float32Array([1, 2]), 1);
    head.push(new Uint8Array(new Float32Array([1, 0, 0, 1, 1, 1]).buffer), 0, 0, 3);
    expect(Array.from(head.logits.subarray(0, 3))).toEqual([1, 2, 3]);
    const ids = new Int32Array(3);
    const lps = new Float64Array(3);
    expect(head.top(0, 3, ids, lps)).toBe(3);
    expect(Array.from(ids)).toEqual([2, 1, 0]);
    const z = Math.E + Math.E ** 2 + Math.E ** 3; // 30.19287485...
    expect(Math.exp(lps[0]!)).toBeCloseTo(Math.E ** 3 / z, 7); // float32 exp terms // 0.665240955...
    expect(Math.exp(lps[1]!)).toBeCloseTo(Math.E ** 2 / z, 7); // float32 exp terms // 0.244728471...
    expect(Math.exp(lps[2]!)).toBeCloseTo(Math.E / z, 7); // float32 exp terms // 0.090030573...
  });

  it("bad sizes and windows are typed errors naming the parameter", () => {
    expect(() => createLmHead({ d: 0, vocab: 3, dtype: "f32" })).toThrow(InvalidParamsError);
    expect(() => createLmHead({ d: 2, vocab: 3, dtype: "f64" as "f32" })).toThrow(/dtype/);
    const head = createLmHead({ d: 4, vocab: 3, dtype: "f32", maxCount: 2 });
    expect(() => head.push(new Uint8Array(48), 0, 0, 3)).toThrow(/setHidden/);
    expect(() => head.setHidden(new Float32Array(7), 2)).toThrow(/d = 4/);
    expect(() => head.setHidden(new Float32Array(12), 3)).toThrow(/maxCount = 2/);
    head.setHidden(new Float32Array(8), 2);
    expect(() => head.push(new Uint8Array(40), 0, 0, 3)).toThrow(/48/);
    expect(() => head.push(new Uint8Array(48), 0, 1, 3)).toThrow(/outside \[0, V = 3\)/);
  });
});
