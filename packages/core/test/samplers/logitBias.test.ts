import { describe, expect, it } from "vitest";
import { createSamplingContext, InvalidParamsError, logitBias, sampleBatch, topK } from "../../src/index.js";
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

  it("names the global row a token id does not fit (rows of different lengths), in the message and as `row`", () => {
    // A bias for token 4 fits a row of 5 logits; at global row 12, a row of 4, it does not.
    const five = sampleBatch(
      Float32Array.of(1, 2, 3, 4, 5),
      1,
      5,
      { logitBias: { "4": 1 } },
      { firstRow: 11 },
    );
    expect(five.tokens[0]).toBeGreaterThanOrEqual(0);
    let error: unknown;
    try {
      sampleBatch(Float32Array.of(1, 2, 3, 4), 1, 4, { logitBias: { "4": 1 } }, { firstRow: 12 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidParamsError);
    expect((error as InvalidParamsError).row).toBe(12);
    expect((error as Error).message).toBe(
      'invalid parameter "logitBias": token id 4 is outside the vocabulary (V = 4) at row 12',
    );
    // A parameter wrong whatever the row carries no row.
    expect(new InvalidParamsError("topK", "must be an integer").row).toBeUndefined();
  });
});
