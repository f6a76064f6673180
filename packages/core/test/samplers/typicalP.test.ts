import { describe, expect, it } from "vitest";
import { topK, typicalP } from "../../src/index.js";
import { keptSet, NEG, run, typicalRef } from "./stageHelpers.js";

describe("typicalP", () => {
  const L = Math.log;
  // p = [0.6, 0.3, 0.05, 0.05]: H ≈ 0.9986; |−ln p − H| ≈ [0.488, 0.205, 1.997, 1.997]
  const row = [L(0.6), L(0.3), L(0.05), L(0.05)];
  it.each([
    { p: 1, want: [0, 1, 2, 3] },
    { p: 0.2, want: [1] },
    { p: 0.5, want: [0, 1] },
    { p: 0.92, want: [0, 1, 2] },
    { p: 0.99, want: [0, 1, 2, 3] },
  ])("keeps the most typical tokens up to mass p = $p", ({ p, want }) => {
    expect(keptSet(row, typicalP(p))).toEqual(want);
    expect(keptSet(row, typicalP(p))).toEqual(typicalRef(row, p));
  });

  it("returns the kept set sorted by logit, and drops -Infinity-masked tokens", () => {
    const r = run([L(0.3), NEG, L(0.6), L(0.1)], typicalP(0.95));
    expect(r.ids).toEqual([2, 0, 3]);
    expect(r.sorted).toBe(true);
  });

  it("agrees with the definition after top-k and on random rows", () => {
    let x = 12345;
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + (trial % 30);
      const r: number[] = [];
      for (let i = 0; i < n; i++) {
        x = (x * 48271) % 2147483647;
        r.push(Math.fround((x / 2147483647) * 8 - 4));
      }
      for (const p of [0.1, 0.5, 0.9]) expect(keptSet(r, typicalP(p))).toEqual(typicalRef(r, p));
    }
  });

  it("after top-k works on the renormalized survivors (kept sets by hand)", () => {
    // top-k 2 keeps tokens 0, 1 → q = [2/3, 1/3], H = ln 3 − (2/3) ln 2 ≈ 0.6365;
    // |−ln q − H| ≈ [0.231, 0.462]: token 0 first; its mass 2/3 reaches 0.5 but not 0.7.
    expect(run(row, topK(2), typicalP(0.5)).ids).toEqual([0]);
    expect(run(row, topK(2), typicalP(0.7)).ids).toEqual([0, 1]);
    // the same as the definition on the two-token row itself
    expect(typicalRef([L(0.6), L(0.3)], 0.5)).toEqual([0]);
    expect(typicalRef([L(0.6), L(0.3)], 0.7)).toEqual([0, 1]);
  });
});
