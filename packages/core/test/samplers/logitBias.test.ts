import { describe, expect, it } from "vitest";
import { createSamplingContext, InvalidParamsError, logitBias, topK } from "../../src/index.js";
import { NEG, run } from "./stageHelpers.js";

describe("logitBias", () => {
  it("adds each bias to its token's logit and leaves the others untouched", () => {
    const r = run([0, 0, 0, NEG], logitBias({ "2": 1.5, "0": -2, "3": 10 }));
    expect(r.ids).toEqual([0, 1, 2, 3]);
    expect(r.logits).toEqual([-2, 0, 1.5, NEG]);
  });

  it("is a no-op when empty", () => {
    expect(run([3, 1], logitBias({})).logits).toEqual([3, 1]);
  });

  it("restores id order after biasing a sorted set and skips tokens filtered earlier", () => {
    const r = run([5, 4, 3, 0], topK(3), logitBias({ "2": 10, "3": 1 }));
    expect(r.ids).toEqual([0, 1, 2]);
    expect(r.logits).toEqual([5, 4, 13]);
    expect(r.sorted).toBe(false);
  });

  it("rejects a token id outside the vocabulary with a typed error", () => {
    expect(() => run([0, 0], logitBias({ "2": 1 }))).toThrow(InvalidParamsError);
    expect(createSamplingContext(2).vocab).toBe(2);
  });
});
