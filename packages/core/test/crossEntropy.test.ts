import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyStrided, InvalidLogitsError, InvalidTargetError } from "../src/index.js";
import { closeTo, refLogSumExp, refSoftmax } from "./softmaxReference.js";

describe("crossEntropy", () => {
  it.each([
    { u: [-1, 2, 0.5, -0.5], t: 1 },
    { u: [-1, 2, 0.5, -0.5], t: 0 },
    { u: [-2, -1, 0, 1, 1.5], t: 4 },
    { u: [0, 0], t: 1 },
  ])("gives loss logSumExp(u) − u_t and gradient softmax − onehot for $u, target $t", ({ u, t }) => {
    const { loss, gradient } = crossEntropy(Float32Array.from(u), t);
    expect(Math.abs(loss - (refLogSumExp(u) - u[t]!))).toBeLessThan(1e-12);
    const expected = refSoftmax(u);
    expected[t]! -= 1;
    expect(closeTo(gradient, expected, 1e-7, 1e-6)).toBe(true);
  });

  it("gives −ln 0.738006 for the worked row and the most likely target", () => {
    expect(
      Math.abs(crossEntropy(Float32Array.from([-1, 2, 0.5, -0.5]), 1).loss + Math.log(0.738006)),
    ).toBeLessThan(1e-6);
  });

  it("is +Infinity for a masked target", () => {
    expect(crossEntropy(Float32Array.from([0, Number.NEGATIVE_INFINITY]), 1).loss).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it("matches finite differences of the loss with respect to each logit", () => {
    const u = [0.3, -1.2, 2.5, 0.1];
    const { gradient } = crossEntropy(Float32Array.from(u), 2);
    const h = 1e-6;
    for (let j = 0; j < u.length; j++) {
      const plus = u.slice();
      const minus = u.slice();
      plus[j]! += h;
      minus[j]! -= h;
      const fd = (refLogSumExp(plus) - plus[2]! - (refLogSumExp(minus) - minus[2]!)) / (2 * h);
      expect(Math.abs(gradient[j]! - fd)).toBeLessThan(1e-6);
    }
  });

  it("computes the loss alone when no gradient buffer is given, and names the row in errors", () => {
    const data = Float32Array.from([5, 0, 0]);
    expect(Math.abs(crossEntropyStrided({ data, offset: 1, target: 0, grad: null }) - Math.LN2)).toBeLessThan(
      1e-15,
    );
    expect(() => crossEntropyStrided({ data, offset: 1, length: 2, target: 2, row: 6 })).toThrow(
      /row 6: target 2 is not a token id in \[0, 2\)/,
    );
    expect(() => crossEntropy(Float32Array.from([0, 0]), -1)).toThrow(InvalidTargetError);
    expect(() => crossEntropy(Float32Array.from([0, 0]), 0.5)).toThrow(InvalidTargetError);
    expect(() => crossEntropy(Float32Array.from([Number.NaN, 0]), 0)).toThrow(InvalidLogitsError);
  });
});
