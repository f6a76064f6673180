import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entropy, entropyStrided, InvalidLogitsError } from "../src/index.js";
import { gridLogits, refEntropy } from "./softmaxReference.js";

const SEED = 20261126;

describe("entropy", () => {
  it.each([
    { u: [5, 5, 5, 5], h: Math.log(4) },
    { u: [0, Math.log(3)], h: -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)) },
    { u: [0, Number.NEGATIVE_INFINITY], h: 0 },
    { u: [3], h: 0 },
    { u: [0, 0, Number.NEGATIVE_INFINITY], h: Math.LN2 },
    { u: [0, -1000], h: 0 },
  ])("gives −Σ p log p of softmax($u) by hand", ({ u, h }) => {
    expect(Math.abs(entropy(Float32Array.from(u)) - h)).toBeLessThan(1e-7);
  });

  it("rejects a bad row naming it", () => {
    expect(() => entropyStrided({ data: Float32Array.from([1, Number.POSITIVE_INFINITY]), row: 12 })).toThrow(
      /row 12, index 1/,
    );
    expect(() => entropy(new Float32Array(0))).toThrow(InvalidLogitsError);
  });

  it("matches the float64 definition and stays within [0, log V] (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        (values) => {
          const u = gridLogits(values);
          const h = entropy(u);
          return Math.abs(h - refEntropy(u)) < 1e-10 && h >= 0 && h <= Math.log(u.length) + 1e-12;
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});
