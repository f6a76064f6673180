import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidLogitsError, InvalidParamsError, logSumExp, logSumExpStrided } from "../src/index.js";
import { gridLogits, logTol, refLogSumExp } from "./softmaxReference.js";

const SEED = 20261126;

describe("logSumExp", () => {
  it.each([
    { u: [0, 0, 0, 0], t: 1, expected: Math.log(4) },
    { u: [1000, 1000], t: 1, expected: 1000 + Math.LN2 },
    { u: [-1000, Number.NEGATIVE_INFINITY], t: 1, expected: -1000 },
    { u: [0, Math.log(3)], t: 1, expected: Math.log(4) },
    { u: [2, 2], t: 0.5, expected: 4 + Math.LN2 },
  ])("gives log Σ exp(u/T) for $u at T = $t", ({ u, t, expected }) => {
    expect(Math.abs(logSumExp(Float32Array.from(u), { temperature: t }) - expected)).toBeLessThan(1e-6);
  });

  it("rejects temperature 0, where it diverges", () => {
    expect(() => logSumExp(Float32Array.from([1, 2]), { temperature: 0 })).toThrow(InvalidParamsError);
  });

  it("rejects a bad row naming the row", () => {
    expect(() => logSumExpStrided({ data: new Float32Array(3), offset: 1, length: 0, row: 9 })).toThrow(
      /row 9: empty row/,
    );
    expect(() => logSumExp(Float32Array.from([Number.NEGATIVE_INFINITY]))).toThrow(InvalidLogitsError);
  });

  it("matches the float64 definition within the float32 kernel's error bound (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (values, t) => {
          const u = gridLogits(values);
          const ref = refLogSumExp(u, t);
          // logTol: the float32 exp-and-sum normalizer (derivation in softmaxReference.ts)
          return Math.abs(logSumExp(u, { temperature: t }) - ref) <= logTol(u.length, t);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("shifts by exactly c when c is added to every logit (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: -50, max: 50 }),
        (values, c) => {
          const u = gridLogits(values);
          const a = logSumExp(u);
          const b = logSumExp(Float32Array.from(u, (v) => v + c));
          return Math.abs(b - (a + c)) <= 1e-12 * Math.max(1, Math.abs(b));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});
