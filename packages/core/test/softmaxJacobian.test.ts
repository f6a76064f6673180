import { describe, expect, it } from "vitest";
import { InvalidParamsError, MAX_JACOBIAN_VOCAB, softmaxJacobian } from "../src/index.js";
import { refSoftmax } from "./softmaxReference.js";

describe("softmaxJacobian", () => {
  const u = Float32Array.from([-1, 2, 0.5, -0.5]);

  it("gives the worked entries ∂y₂/∂u₂ = 0.193353 and ∂y₁/∂u₂ = −0.027117 (1-based)", () => {
    const j = softmaxJacobian(u);
    expect(Math.abs(j[1 * 4 + 1]! - 0.193353)).toBeLessThan(5e-7);
    expect(Math.abs(j[0 * 4 + 1]! - -0.027117)).toBeLessThan(5e-7);
  });

  it("is symmetric, its rows sum to 0, and it matches finite differences of the float64 softmax", () => {
    const j = softmaxJacobian(u);
    const h = 1e-6;
    for (let a = 0; a < 4; a++) {
      let rowSum = 0;
      for (let b = 0; b < 4; b++) {
        rowSum += j[a * 4 + b]!;
        expect(Math.abs(j[a * 4 + b]! - j[b * 4 + a]!)).toBeLessThan(1e-15);
        const plus = Array.from(u);
        const minus = Array.from(u);
        plus[b]! += h;
        minus[b]! -= h;
        const fd = (refSoftmax(plus)[a]! - refSoftmax(minus)[a]!) / (2 * h);
        expect(Math.abs(j[a * 4 + b]! - fd)).toBeLessThan(1e-8);
      }
      expect(Math.abs(rowSum)).toBeLessThan(1e-15);
    }
  });

  it("divides by the temperature and uses softmax(u/T)", () => {
    const t = 2;
    const y = refSoftmax(Array.from(u), t);
    const j = softmaxJacobian(u, { temperature: t });
    expect(Math.abs(j[2 * 4 + 2]! - (y[2]! * (1 - y[2]!)) / t)).toBeLessThan(1e-12);
    expect(Math.abs(j[2 * 4 + 3]! - (-y[2]! * y[3]!) / t)).toBeLessThan(1e-12);
  });

  it("has zero rows and columns for masked tokens", () => {
    const j = softmaxJacobian(Float32Array.from([0, Number.NEGATIVE_INFINITY, 1]));
    for (let k = 0; k < 3; k++) {
      expect(j[1 * 3 + k]).toBe(0);
      expect(j[k * 3 + 1]).toBe(0);
    }
  });

  it("refuses vocabularies larger than MAX_JACOBIAN_VOCAB and temperature 0", () => {
    expect(() => softmaxJacobian(new Float32Array(MAX_JACOBIAN_VOCAB + 1))).toThrow(InvalidParamsError);
    expect(() => softmaxJacobian(u, { temperature: 0 })).toThrow(InvalidParamsError);
  });
});
