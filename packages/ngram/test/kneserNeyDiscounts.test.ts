import { describe, expect, it } from "vitest";
import { kneserNeyDiscounts } from "../src/kneserNeyDiscounts.js";

describe("kneserNeyDiscounts", () => {
  it("follows Chen & Goodman's estimate D_r = r − (r+1) Y n_{r+1}/n_r with Y = n1/(n1+2n2)", () => {
    // n1..n4 = 4, 2, 1, 1 (and a 7 that only the D3+ class would see): Y = 4/8 = 0.5,
    // D1 = 1 − 2·0.5·2/4 = 0.5, D2 = 2 − 3·0.5·1/2 = 1.25, D3+ = 3 − 4·0.5·1/1 = 1.
    expect(kneserNeyDiscounts([1, 1, 1, 1, 2, 2, 3, 4, 7, 0])).toEqual([0.5, 1.25, 1]);
  });

  it("uses the single discount Y when n3 or n4 is zero, and 0.5 when n1 or n2 is zero", () => {
    expect(kneserNeyDiscounts([1, 1, 1, 2])).toEqual([0.6, 0.6, 0.6]); // Y = 3/5
    expect(kneserNeyDiscounts([2, 2, 3, 4])).toEqual([0.5, 0.5, 0.5]);
    expect(kneserNeyDiscounts([])).toEqual([0.5, 0.5, 0.5]);
  });

  it("clamps a discount to at least 0.01 so every context keeps some backoff mass", () => {
    // n1 = 1, n2 = 100, n3 = 1, n4 = 1: Y = 1/201, D1 = 1 − 200/201 ≈ 0.005 → 0.01.
    const counts = [1, 3, 4, ...new Array(100).fill(2)];
    const [d1, d2, d3] = kneserNeyDiscounts(counts);
    expect(d1).toBe(0.01);
    expect(d2).toBeCloseTo(2 - 3 / 20100, 12);
    expect(d3).toBeCloseTo(3 - 4 / 201, 12);
  });
});
