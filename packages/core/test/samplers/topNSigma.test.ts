import { describe, expect, it } from "vitest";
import { topK, topNSigma } from "../../src/index.js";
import { keptSet, NEG, run } from "./stageHelpers.js";

describe("topNSigma", () => {
  // [0, 1, 2, 3]: mean 1.5, population σ = √1.25 ≈ 1.1180
  it.each([
    { n: 0, want: [0, 1, 2, 3], note: "n = 0 is a no-op" },
    { n: 1, want: [2, 3], note: "≥ 3 − 1.118 = 1.882" },
    { n: 2, want: [1, 2, 3], note: "≥ 3 − 2.236 = 0.764" },
    { n: 3, want: [0, 1, 2, 3], note: "≥ 3 − 3.354" },
    { n: 0.01, want: [3], note: "only the max" },
  ])("keeps logits ≥ max − n·σ for n = $n ($note)", ({ n, want }) => {
    expect(keptSet([0, 1, 2, 3], topNSigma(n))).toEqual(want);
  });

  it("computes the statistics over finite logits only", () => {
    // finite [0, 1, 2, 3] as above; masked entries do not count toward mean or σ
    expect(keptSet([NEG, 0, 1, NEG, 2, 3], topNSigma(1))).toEqual([4, 5]);
  });

  it("works on a sorted set after top-k", () => {
    // top-3 of [0,1,2,3,9] = [9,3,2]: mean 14/3, σ = √(((9−14/3)² + (3−14/3)² + (2−14/3)²)/3) ≈ 3.09; n = 1 → ≥ 5.91
    expect(run([0, 1, 2, 3, 9], topK(3), topNSigma(1)).ids).toEqual([4]);
  });
});
