import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidParamsError, softmax, softmaxBackward, softmaxBackwardStrided } from "../src/index.js";
import { closeTo, gridLogits, refSoftmax } from "./softmaxReference.js";

const SEED = 20261126;

/** L(u) = ⟨g, softmax(u)⟩ in float64: its gradient with respect to u is the vector-Jacobian product. */
function loss(u: number[], g: ArrayLike<number>): number {
  const p = refSoftmax(u);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += g[i]! * p[i]!;
  return s;
}

describe("softmaxBackward", () => {
  it("computes y ⊙ (g − ⟨g, y⟩) on a hand-worked case", () => {
    // y = [0.25, 0.75], g = [1, 0]: ⟨g, y⟩ = 0.25 → [0.25·0.75, 0.75·(−0.25)]
    const out = softmaxBackward(Float32Array.from([0.25, 0.75]), Float32Array.from([1, 0]));
    expect(Array.from(out)).toEqual([0.1875, -0.1875]);
  });

  it("returns zero for a constant upstream gradient (softmax is shift-invariant)", () => {
    const y = softmax(Float32Array.from([-1, 2, 0.5, -0.5]));
    const out = softmaxBackward(y, Float32Array.from([3, 3, 3, 3]));
    expect(closeTo(out, [0, 0, 0, 0], 1e-7)).toBe(true);
  });

  it("gives exactly 0 to tokens with probability 0", () => {
    const y = softmax(Float32Array.from([0, Number.NEGATIVE_INFINITY, 1]));
    const out = softmaxBackward(y, Float32Array.from([1, 5, -2]));
    expect(out[1]).toBe(0);
  });

  it("writes its strided window only", () => {
    const y = Float32Array.from([9, 0.25, 0.75]);
    const g = Float32Array.from([1, 0, 9]);
    const out = Float32Array.from([7, 7, 7]);
    softmaxBackwardStrided({ y, yOffset: 1, g, length: 2, out, outOffset: 1 });
    expect(Array.from(out)).toEqual([7, 0.1875, -0.1875]);
  });

  it("rejects y and g of different lengths", () => {
    expect(() => softmaxBackward(new Float32Array(2), new Float32Array(3))).toThrow(InvalidParamsError);
  });

  it("matches central finite differences of ⟨g, softmax(u)⟩ (property)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 12 })
          .chain((v) =>
            fc.tuple(
              fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: v, maxLength: v }),
              fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: v, maxLength: v }),
            ),
          ),
        ([values, gv]) => {
          const u = gridLogits(values);
          const g = Float32Array.from(gv);
          const grad = softmaxBackward(softmax(u), g);
          const h = 1e-5;
          const base = Array.from(u);
          const fd: number[] = [];
          for (let j = 0; j < base.length; j++) {
            const plus = base.slice();
            const minus = base.slice();
            plus[j]! += h;
            minus[j]! -= h;
            fd.push((loss(plus, g) - loss(minus, g)) / (2 * h));
          }
          return closeTo(grad, fd, 2e-6, 1e-5);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
