import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidLogitsError, logSoftmax, logSoftmaxStrided, logSumExp, softmax } from "../src/index.js";
import { closeTo, gridLogits, refLogSumExp, ulpF32 } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261126;

/** log softmax(u/T)_i = u_i/T − log Σ exp(u_j/T), in float64 from the definition. */
function refLogSoftmax(u: ArrayLike<number>, t = 1): number[] {
  const lse = refLogSumExp(u, t);
  return Array.from(u, (v) => v / t - lse);
}

describe("logSoftmax", () => {
  it("gives the logarithms of the worked probabilities", () => {
    const out = logSoftmax(Float32Array.from([-1, 2, 0.5, -0.5]));
    const expected = [0.036743, 0.738006, 0.164671, 0.060579].map(Math.log);
    // the worked probabilities carry 6 decimals: ≤ 0.5e-6 / 0.036743 ≈ 1.4e-5 in log space
    expect(closeTo(out, expected, 2e-5)).toBe(true);
  });

  it("matches the float64 definition to float32 rounding, with and without temperature", () => {
    const u = [-2, -1, 0, 1, 1.5];
    expect(closeTo(logSoftmax(Float32Array.from(u)), refLogSoftmax(u), 1e-6, 1e-6)).toBe(true);
    expect(
      closeTo(logSoftmax(Float32Array.from(u), { temperature: 0.5 }), refLogSoftmax(u, 0.5), 1e-6, 1e-6),
    ).toBe(true);
  });

  it("keeps -Infinity for masked tokens", () => {
    const out = logSoftmax(Float32Array.from([1, NEG, 1]));
    expect(out[1]).toBe(NEG);
    expect(closeTo([out[0]!, out[2]!], [-Math.LN2, -Math.LN2], 1e-7)).toBe(true);
  });

  it("is 0 on the first maximum and -Infinity elsewhere at temperature 0", () => {
    expect(Array.from(logSoftmax(Float32Array.from([2, 5, 5, 1]), { temperature: 0 }))).toEqual([
      NEG,
      0,
      NEG,
      NEG,
    ]);
  });

  it("stays finite and accurate for logits far apart", () => {
    const out = logSoftmax(Float32Array.from([0, -200]));
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(-200);
  });

  it("rejects a bad row and names the row in the strided form", () => {
    expect(() => logSoftmax(Float32Array.from([NEG]))).toThrow(InvalidLogitsError);
    expect(() =>
      logSoftmaxStrided({ data: Float32Array.from([Number.NaN]), out: new Float32Array(1), row: 3 }),
    ).toThrow(/row 3, index 0/);
  });

  it.each([
    // u, and (u_i − max) − log S with the exact S = Σ exp(u_i − max) of these rows (float64 from the definition)
    { u: [0, 0], want: [-Math.LN2, -Math.LN2] },
    { u: [0, 0, 0, 0], want: [-Math.log(4), -Math.log(4), -Math.log(4), -Math.log(4)] },
    { u: [3, 3 - Math.log(3)], want: [-Math.log(4 / 3), -Math.log(3) - Math.log(4 / 3)] },
    { u: [0, -200], want: [0, -200] },
  ])("at T = 1 writes each of $u within 2 float32 ulp of (u_i − max) − log S", ({ u, want }) => {
    const row = Float32Array.from(u);
    const out = logSoftmax(row);
    const m = Math.max(...row);
    for (let i = 0; i < u.length; i++) {
      // the row is rounded to float32 first: the exact value for the float32 logits, then the bound
      const exact = want[i]! + (row[i]! - m) - (u[i]! - Math.max(...u));
      expect(Math.abs(out[i]! - exact)).toBeLessThanOrEqual(2 * ulpF32(exact) + 1e-7 * Math.abs(exact));
    }
  });

  it("at T = 1 is within 2 float32 ulp of (u_i − max) − log S for the kernels' own S (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -60, max: 60, noNaN: true }), { minLength: 1, maxLength: 2000 }),
        (values) => {
          const u = Float32Array.from(values);
          const out = logSoftmax(u);
          let m = Number.NEGATIVE_INFINITY;
          for (const x of u) m = Math.max(m, x);
          const lse = logSumExp(u); // max + log S in float64
          const logS = lse - m; // within a few float64 ulp of lse (~1e-15 at |lse| ≈ 20) of the kernel's log S
          const slack = 2 ** -50 * Math.abs(lse);
          for (let i = 0; i < u.length; i++) {
            const exact = u[i]! - m - logS;
            if (Math.abs(out[i]! - exact) > 2 * ulpF32(exact) + slack) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("exponentiates to softmax (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (values, t) => {
          const u = gridLogits(values);
          const p = softmax(u, { temperature: t });
          const lp = logSoftmax(u, { temperature: t });
          return closeTo(Array.from(lp, Math.exp), p, 1e-9, 2e-6);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("is bit-identical after an integer shift of every logit (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: -50, max: 50 }),
        (values, c) => {
          const u = gridLogits(values);
          const a = logSoftmax(u);
          const b = logSoftmax(Float32Array.from(u, (v) => v + c));
          return Array.from(a).join() === Array.from(b).join();
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});
