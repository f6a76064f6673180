import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portableLog } from "../src/portableLog.js";

const SEED = 20261126;

function ulps(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0]! - i[1]!;
  return Number(d < 0n ? -d : d);
}

describe("portableLog", () => {
  // Reference values: ln(x) with 80-digit decimal arithmetic (Python `decimal`), rounded once to a double.
  it.each([
    [1.0, 0.0],
    [1.0000000000000002, 2.2204460492503128e-16],
    [1.5, 0.4054651081081644],
    [2.0, Math.LN2],
    [Math.E, 1.0],
    [3.0, 1.0986122886681098],
    [10.0, Math.LN10],
    [Math.SQRT2, 0.3465735902799727],
    [Number("1.414213562373095"), 0.3465735902799726], // the double just below √2 (a literal would trip the linter)
    [Math.SQRT1_2, -0.3465735902799726],
    [1000.5, 6.908255154023788],
    [32000.0, 10.373491181781864],
    [128256.0, 11.761783545564427],
    [262144.0, 12.476649250079015],
    [123456789.0, 18.63140176616802],
    [1e100, 230.25850929940458],
    [1e300, 690.7755278982137],
    [0.25, -1.3862943611198906],
    [1e-300, -690.7755278982137],
  ])("is within 1 ulp of the correctly rounded ln(%d)", (x, expected) => {
    expect(ulps(portableLog(x), expected)).toBeLessThanOrEqual(1);
  });

  it("is exactly 0 at 1", () => {
    expect(portableLog(1)).toBe(0);
  });

  it("stays within 1 ulp of Math.log for the normalizers the softmax family takes the log of (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        (x) => ulps(portableLog(x), Math.log(x)) <= 1,
      ),
      { seed: SEED, numRuns: 20000 },
    );
  });

  it("stays within 1 ulp of Math.log over the positive normal doubles (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 2.2250738585072014e-308, max: 1e308, noNaN: true }), (x) => {
        return ulps(portableLog(x), Math.log(x)) <= 1;
      }),
      { seed: SEED, numRuns: 20000 },
    );
  });
});
