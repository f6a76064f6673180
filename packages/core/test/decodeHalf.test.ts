import { afterAll, describe, expect, it } from "vitest";
import { decodeHalf } from "../src/index.js";
import { setKernelBackend } from "../src/kernels/dispatch.js";

/** Little-endian bytes of 16-bit patterns, after `pad` leading bytes (any alignment is allowed). */
function bytesOf(bits: number[], pad = 0): Uint8Array {
  const out = new Uint8Array(pad + 2 * bits.length);
  bits.forEach((b, i) => {
    out[pad + 2 * i] = b & 0xff;
    out[pad + 2 * i + 1] = b >> 8;
  });
  return out;
}

// Values from the formats' definitions (IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10
// fraction bits; bfloat16: the top half of a binary32).
const F16: [number, number][] = [
  [0x3c00, 1],
  [0xc000, -2],
  [0x7bff, 65504], // largest finite: (2 − 2^-10)·2^15
  [0x0400, 2 ** -14], // smallest normal
  [0x0001, 2 ** -24], // smallest subnormal
  [0x3555, 0.333251953125], // (1 + 341/1024)·2^-2
  [0x7c00, Number.POSITIVE_INFINITY],
  [0xfc00, Number.NEGATIVE_INFINITY],
  [0x8000, -0],
];
const BF16: [number, number][] = [
  [0x3f80, 1],
  [0xc000, -2],
  [0x4049, 3.140625], // (1 + 73/128)·2
  [0x0001, 2 ** -133], // smallest subnormal
  [0x7f80, Number.POSITIVE_INFINITY],
  [0xff80, Number.NEGATIVE_INFINITY],
];

describe("decodeHalf", () => {
  afterAll(() => setKernelBackend("auto"));

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`decodes float16 and bfloat16 exactly, at any byte alignment (${backend})`, () => {
      setKernelBackend(backend);
      for (const [dtype, table] of [
        ["f16", F16],
        ["bf16", BF16],
      ] as const) {
        for (const pad of [0, 1]) {
          const out = new Float32Array(table.length + 1);
          decodeHalf(
            bytesOf(
              table.map(([b]) => b),
              pad,
            ),
            pad,
            table.length,
            dtype,
            out,
            1,
          );
          table.forEach(([, v], i) => {
            expect(Object.is(out[i + 1], v)).toBe(true);
          });
          expect(out[0]).toBe(0); // nothing written before outOffset
        }
      }
      const nan = new Float32Array(2);
      decodeHalf(bytesOf([0x7e00]), 0, 1, "f16", nan);
      decodeHalf(bytesOf([0x7fc0]), 0, 1, "bf16", nan, 1);
      expect(Number.isNaN(nan[0])).toBe(true);
      expect(Number.isNaN(nan[1])).toBe(true);
    });
  }
});
