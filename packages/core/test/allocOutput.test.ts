import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocOutput } from "../src/allocOutput.js";
import { crossEntropy, logSoftmax, softmax, softmaxBackward, softmaxStrided } from "../src/index.js";

const SEED = 20261204;

describe("allocOutput and the friendly forms' outputs", () => {
  it.each([0, 1, 1023, 1024, 4096, 128_256])(
    "gives %i floats in a buffer of exactly their bytes at offset 0",
    (n) => {
      const a = allocOutput(n);
      expect(a.length).toBe(n);
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(4 * n);
    },
  );

  it("never lets two results share memory: writing one leaves the next unchanged", () => {
    const row = new Float32Array(5000).map((_, i) => Math.sin(i));
    const first = softmax(row);
    const second = softmax(row);
    expect(first.buffer).not.toBe(second.buffer);
    const kept = Float32Array.from(second);
    first.fill(7);
    expect(Array.from(second)).toEqual(Array.from(kept));
  });

  it("writes every element (no stale bytes) whatever was allocated and dropped before", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 6000 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        // Leave garbage behind: large arrays full of NaN bit patterns, dropped at once.
        for (let k = 0; k < 4; k++) new Float32Array(allocOutput(n).buffer).fill(Number.NaN);
        const row = new Float32Array(n).map((_, i) => Math.cos(i * 0.37 + seed));
        const y = softmax(row);
        const expected = new Float32Array(n);
        softmaxStrided({ data: row, offset: 0, length: n, out: expected });
        expect(Array.from(y)).toEqual(Array.from(expected));
        expect(logSoftmax(row).every(Number.isFinite)).toBe(true);
        expect(crossEntropy(row, n - 1).gradient.every(Number.isFinite)).toBe(true);
        expect(softmaxBackward(y, row).every(Number.isFinite)).toBe(true);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it("gives the worked values of a 2,000-token row of equal logits (uniform 1/2000, log −ln 2000)", () => {
    const row = new Float32Array(2000);
    expect(softmax(row).every((p) => p === Math.fround(1 / 2000))).toBe(true);
    expect(logSoftmax(row).every((l) => Math.abs(l + Math.log(2000)) < 1e-6)).toBe(true);
  });
});
