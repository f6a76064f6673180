import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidLogitsError, InvalidParamsError, klDivergence, klDivergenceStrided } from "../src/index.js";
import { gridLogits, refSoftmax } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261126;

function refKl(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const p = refSoftmax(a);
  const q = refSoftmax(b);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) kl += p[i]! * Math.log(p[i]! / q[i]!);
  return kl;
}

describe("klDivergence", () => {
  it("gives ½ ln(½/¾) + ½ ln(½/¼) for P = [½, ½] and Q = [¾, ¼]", () => {
    const kl = klDivergence(Float32Array.from([0, 0]), Float32Array.from([Math.log(3), 0]));
    expect(Math.abs(kl - (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25)))).toBeLessThan(1e-7);
  });

  it("is 0 for rows that differ by a constant", () => {
    expect(klDivergence(Float32Array.from([1, 2, 3]), Float32Array.from([11, 12, 13]))).toBe(0);
  });

  it("ignores tokens banned in P and is +Infinity for a token allowed in P but banned in Q", () => {
    expect(klDivergence(Float32Array.from([0, NEG]), Float32Array.from([0, NEG]))).toBe(0);
    expect(
      Math.abs(klDivergence(Float32Array.from([0, NEG]), Float32Array.from([0, 0])) - Math.LN2),
    ).toBeLessThan(1e-12);
    expect(klDivergence(Float32Array.from([0, 0]), Float32Array.from([0, NEG]))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it("rejects rows of different lengths and bad rows", () => {
    expect(() => klDivergence(new Float32Array(2), new Float32Array(3))).toThrow(InvalidParamsError);
    expect(() =>
      klDivergenceStrided({ p: new Float32Array(2), q: Float32Array.from([0, Number.NaN]), row: 4 }),
    ).toThrow(/row 4, index 1/);
    expect(() => klDivergence(Float32Array.from([NEG]), Float32Array.from([0]))).toThrow(InvalidLogitsError);
  });

  it("matches the float64 definition and is ≥ 0 (property)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((v) =>
            fc.tuple(
              fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: v, maxLength: v }),
              fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: v, maxLength: v }),
            ),
          ),
        ([av, bv]) => {
          const a = gridLogits(av);
          const b = gridLogits(bv);
          const kl = klDivergence(a, b);
          return kl >= 0 && Math.abs(kl - refKl(a, b)) < 1e-10 * Math.max(1, kl);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
