import { describe, expect, it } from "vitest";
import { temperature, topK } from "../../src/index.js";
import { NEG, run } from "./stageHelpers.js";

describe("temperature", () => {
  it.each([
    { t: 1, want: [1, 3, 2] },
    { t: 0.5, want: [-4, 0, -2] },
    { t: 2, want: [-1, 0, -0.5] },
    { t: 1e-30, want: [-2e30, 0, -1e30] },
  ])("divides the max-shifted logits by T = $t", ({ t, want }) => {
    const r = run([1, 3, 2], temperature(t));
    for (let i = 0; i < 3; i++) expect(r.logits[i]).toBeCloseTo(Math.fround(want[i]!), 5);
    expect(r.logits.every(Number.isFinite)).toBe(true);
  });

  it("keeps -Infinity masked", () => {
    expect(run([NEG, 3, 2], temperature(0.7)).logits[0]).toBe(NEG);
  });

  it("at T = 0 keeps only the highest logit, ties to the lower id", () => {
    expect(run([1, 4, 4, 2], temperature(0)).ids).toEqual([1]);
    expect(run([NEG, 4, 4, 2], topK(3), temperature(0)).ids).toEqual([1]);
  });

  it("keeps a sorted set sorted", () => {
    expect(run([1, 3, 2], topK(2), temperature(0.5)).sorted).toBe(true);
  });
});
