import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portableExp } from "../src/portableExp.js";

const SEED = 20261126;

/** Distance in units in the last place between two non-negative doubles (their bit patterns). */
function ulps(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0]! - i[1]!;
  return Number(d < 0n ? -d : d);
}

describe("portableExp", () => {
  // Reference values: exp(x) evaluated with 80-digit decimal arithmetic (Python `decimal`), then
  // rounded once to the nearest double — independent of any JavaScript engine.
  it.each([
    [0.0, 1.0],
    [-1.0, 0.36787944117144233],
    [-0.5, 0.6065306597126334],
    [-1e-10, 0.9999999999],
    [-0.0054, 0.9946145537913912],
    [-Math.LN2, 0.5],
    [-Math.LN10, 0.09999999999999998],
    [-7.25, 0.000710174388842549],
    [-20.0, 2.061153622438558e-9],
    [-50.5, 1.1698459177061964e-22],
    [-87.33, 1.1832128985586114e-38],
    [-100.0, 3.720075976020836e-44],
    [-300.125, 4.543270750163927e-131],
    [-700.0, 9.85967654375977e-305],
    [-708.39, 2.2394014988804677e-308],
    [-709.5, 7.38014831401258e-309],
    [-720.0, 2.0322308024e-313],
    [-740.0, 4.2e-322],
    [-745.0, 5e-324],
    [-745.13, 5e-324],
  ])("is within 1 ulp of the correctly rounded exp(%d)", (x, expected) => {
    expect(ulps(portableExp(x), expected)).toBeLessThanOrEqual(1);
  });

  it("is exactly 1 at 0 and -0, and exactly 0 below −745.2 and at -Infinity", () => {
    expect(portableExp(0)).toBe(1);
    expect(portableExp(-0)).toBe(1);
    expect(portableExp(-745.3)).toBe(0);
    expect(portableExp(-1e300)).toBe(0);
    expect(portableExp(Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it("stays within 2 ulp of Math.exp on [−745, 0] (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -745, max: 0, noNaN: true }),
        (x) => ulps(portableExp(x), Math.exp(x)) <= 2,
      ),
      { seed: SEED, numRuns: 20000 },
    );
  });

  it("stays within 2 ulp of Math.exp for the float32 differences softmax feeds it (property)", () => {
    fc.assert(
      fc.property(
        fc.float({ min: -60, max: 0, noNaN: true }),
        fc.float({ min: 0, max: 60, noNaN: true }),
        (a, m) => {
          const x = a - m;
          return ulps(portableExp(x), Math.exp(x)) <= 2;
        },
      ),
      { seed: SEED, numRuns: 20000 },
    );
  });

  it("never decreases as x grows (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -746, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 1e-3, noNaN: true }),
        (x, d) => {
          const y = Math.min(0, x + d);
          return portableExp(x) <= portableExp(y);
        },
      ),
      { seed: SEED, numRuns: 20000 },
    );
  });
});
