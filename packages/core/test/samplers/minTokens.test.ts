import { describe, expect, it } from "vitest";
import { createSamplingContext, dist, topK } from "../../src/index.js";
import { minTokens } from "../../src/samplers/minTokens.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { NEG, run } from "./stageHelpers.js";

describe("minTokens", () => {
  it.each([
    { step: 0, n: 2, banned: true },
    { step: 1, n: 2, banned: true },
    { step: 2, n: 2, banned: false },
    { step: 0, n: 0, banned: false },
  ])("at step $step with n = $n the EOS is banned: $banned", ({ step, n, banned }) => {
    const r = run([1, 2, 0]);
    minTokens(n, [1]).apply(r.c, createSamplingContext(3, { step }));
    expect(r.c.logits[1] === NEG).toBe(banned);
    expect(r.c.logits[0]).toBe(1);
  });

  it("removes the EOS ids from a sorted set and keeps it sorted", () => {
    const r = run([1, 5, 0, 3], topK(3));
    minTokens(1, [1, 3]).apply(r.c, createSamplingContext(4));
    expect(Array.from(r.c.ids.subarray(0, r.c.size))).toEqual([0]);
    expect(r.c.sorted).toBe(true);
  });

  it("never draws the EOS before n (χ² at a fixed seed: the rest keeps its proportions)", () => {
    const row = [0, Math.log(3), Math.log(2)]; // EOS = 1
    const counts = drawCounts(row, () => [minTokens(5, [1]), dist()], 20_000, 3);
    expect(counts[1]).toBe(0);
    const { stat, df } = chiSquare(counts, [1 / 3, 0, 2 / 3]);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("throws EmptyCandidatesError naming min_tokens when only the EOS is left", () => {
    const r = run([NEG, 0]);
    expect(() => minTokens(1, [1]).apply(r.c, createSamplingContext(2, { row: 3 }))).toThrow(
      /row 3.*min_tokens/,
    );
  });
});
