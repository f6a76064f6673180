import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeHalf, InvalidLogitsError, InvalidTargetError, scoreHalfRow } from "../src/index.js";
import { scoreHalfKernel, scoreKernel, setKernelBackend } from "../src/kernels/dispatch.js";

function bytesOf(bits: number[]): Uint8Array {
  return Uint8Array.from(bits.flatMap((b) => [b & 0xff, b >> 8]));
}

// The row [0, 1, 2, -1] in float16 (0x0000, 0x3c00, 0x4000, 0xbc00) and in bfloat16.
const F16 = bytesOf([0x0000, 0x3c00, 0x4000, 0xbc00]);
const BF16 = bytesOf([0x0000, 0x3f80, 0x4000, 0xbf80]);
const ROW = [0, 1, 2, -1];

/** The definitions in float64. */
const lse = Math.log(ROW.reduce((s, v) => s + Math.exp(v), 0));
const entropy = -ROW.reduce((s, v) => s + Math.exp(v - lse) * (v - lse), 0);

describe("scoreHalfRow", () => {
  afterAll(() => setKernelBackend("auto"));

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`scores a half-precision row: logprob, rank, entropy, log-sum-exp (${backend})`, () => {
      setKernelBackend(backend);
      for (const [bytes, dtype] of [
        [F16, "f16"],
        [BF16, "bf16"],
      ] as const) {
        const s = scoreHalfRow(bytes, 0, 4, dtype, 1);
        // float32 exp-and-sum normalizer: within ~1e-6 of the float64 definition
        expect(s.logSumExp).toBeCloseTo(lse, 5);
        expect(s.logprob).toBeCloseTo(1 - lse, 5);
        expect(s.rank).toBe(2); // only the 2 beats the target's 1
        expect(s.entropy).toBeCloseTo(entropy, 5);
        const none = scoreHalfRow(bytes, 0, 4, dtype, -1);
        expect(Number.isNaN(none.logprob)).toBe(true);
        expect(none.rank).toBe(0);
      }
    });
  }

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`gives, for float16, exactly the score of the decoded float32 row (${backend}, property)`, () => {
      setKernelBackend(backend);
      // Bit patterns weighted towards the edge cases: ±0, ±Infinity, NaN,
      // equal maxima, subnormals, and lengths that leave partial groups of 8 and 16.
      const special = fc.constantFrom(0x0000, 0x8000, 0xfc00, 0x7c00, 0x7e00, 0x0001, 0x8001, 0x3c00, 0x4b00);
      const bits = fc.oneof(
        fc.integer({ min: 0, max: 0xffff }),
        special,
        fc.integer({ min: 0xc000, max: 0xcbff }),
      );
      fc.assert(
        fc.property(fc.array(bits, { minLength: 1, maxLength: 70 }), fc.nat(), (row, pick) => {
          const bytes = bytesOf(row);
          const target = pick % row.length;
          const decoded = new Float32Array(row.length);
          decodeHalf(bytes, 0, row.length, "f16", decoded);
          const want = scoreKernel(decoded, 0, row.length, target);
          const got = scoreHalfKernel(bytes, 0, row.length, "f16", target);
          // every field, invalid rows included (their max is NaN, +Infinity or -Infinity)
          return (["max", "logSumExp", "logprob", "rank", "entropy"] as const).every((key) =>
            Object.is(got[key], want[key]),
          );
        }),
        { seed: 20261204, numRuns: 400 },
      );
    });
  }

  it("rejects a target outside the row, a window past the bytes and a NaN value with typed errors", () => {
    expect(() => scoreHalfRow(F16, 0, 4, "f16", 4, 9)).toThrow(InvalidTargetError);
    expect(() => scoreHalfRow(F16, 2, 4, "f16", 0)).toThrow(/exceed 8 bytes/);
    let err: unknown;
    try {
      scoreHalfRow(bytesOf([0x3c00, 0x7e00]), 0, 2, "f16", 0, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidLogitsError);
    expect((err as InvalidLogitsError).row).toBe(3);
  });
});
