import { describe, expect, it } from "vitest";
import {
  createSampler,
  InvalidParamsError,
  MAX_TOP_N,
  MAX_VOCAB,
  sampleBatch,
  scoreBatch,
  softmaxBatch,
} from "../src/index.js";

// Row [1, 2, 3]: log_softmax_i = i + 1 − log(e + e² + e³), written out in float64.
const ROW = Float32Array.from([1, 2, 3]);
const LSE = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
const LP = [1 - LSE, 2 - LSE, 3 - LSE];

function thrown(fn: () => unknown): InvalidParamsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidParamsError);
    return e as InvalidParamsError;
  }
  throw new Error("expected an InvalidParamsError");
}

describe("request bounds", () => {
  it("refuses logprobs: 1e9 with a typed error before allocating (the issue's repro)", () => {
    const e = thrown(() => sampleBatch(ROW, 1, 3, {}, { logprobs: 1e9 }));
    expect(e.param).toBe("logprobs");
    expect(e.message).toBe(
      `invalid parameter "logprobs": must be an integer in [0, ${MAX_TOP_N}], got 1000000000`,
    );
  });

  it.each<[string, () => unknown, string, RegExp]>([
    [
      "sampleBatch logprobs",
      () => sampleBatch(ROW, 1, 3, {}, { logprobs: "5" as never }),
      "logprobs",
      /got "5" \(a string\)/,
    ],
    [
      "sampleBatch firstRow",
      () => sampleBatch(ROW, 1, 3, {}, { firstRow: "x" as never }),
      "firstRow",
      /got "x" \(a string\)/,
    ],
    [
      "scoreBatch top",
      () => scoreBatch(ROW, 1, 3, null, { top: "2" as never }),
      "top",
      /got "2" \(a string\)/,
    ],
    [
      "scoreBatch top too large",
      () => scoreBatch(ROW, 1, 3, null, { top: MAX_TOP_N + 1 }),
      "top",
      /got 4097/,
    ],
    ["scoreBatch firstRow", () => scoreBatch(ROW, 1, 3, null, { firstRow: -1 }), "firstRow", /got -1/],
    [
      "softmaxBatch firstRow",
      () => softmaxBatch(ROW, 1, 3, new Float32Array(3), { firstRow: 0.5 }),
      "firstRow",
      /got 0\.5/,
    ],
    ["rows as a string", () => sampleBatch(ROW, "1" as never, 3, {}), "rows", /got "1" \(a string\)/],
    ["vocab as a string", () => scoreBatch(ROW, 1, "3" as never, null), "vocab", /got "3" \(a string\)/],
    [
      "vocab above MAX_VOCAB",
      () => scoreBatch(new Float32Array(0), 0, MAX_VOCAB + 1, null),
      "vocab",
      /\[1, 16777216\]/,
    ],
    ["rows beyond the buffer", () => scoreBatch(ROW, 2, 3, null), "data", /fewer than rows × vocab/],
    [
      "sampler logprobs",
      () => createSampler({}).sample(ROW, { logprobs: 1e9 }),
      "logprobs",
      /got 1000000000/,
    ],
  ])("%s gets a typed error that shows the value", (_, fn, param, message) => {
    const e = thrown(fn);
    expect(e.param).toBe(param);
    expect(e.message).toMatch(message);
  });

  it("sampleBatch: top-N larger than V returns V entries per row, no padding", () => {
    const data = Float32Array.from([1, 2, 3, 3, 2, 1]);
    const r = sampleBatch(data, 2, 3, { temperature: 0 }, { logprobs: 10 });
    expect(r.topTokens!.length).toBe(6);
    expect(Array.from(r.topTokens!)).toEqual([2, 1, 0, 0, 1, 2]);
    for (let k = 0; k < 3; k++) {
      expect(r.topLogprobs![k]).toBeCloseTo(LP[2 - k]!, 6);
      expect(r.topLogprobs![3 + k]).toBeCloseTo(LP[2 - k]!, 6);
    }
  });

  it("scoreBatch: top larger than V returns V entries per row", () => {
    const r = scoreBatch(ROW, 1, 3, Int32Array.of(0), { top: MAX_TOP_N });
    expect(Array.from(r.topTokens!)).toEqual([2, 1, 0]);
    expect(r.topLogprobs!.length).toBe(3);
    expect(r.logprobs[0]).toBeCloseTo(LP[0]!, 6);
  });

  it("Sampler.sample: logprobs larger than V lists V entries", () => {
    const r = createSampler({ temperature: 0 }).sample(ROW, { logprobs: 10 });
    expect(r.topLogprobs!.map((t) => t.token)).toEqual([2, 1, 0]);
    expect(r.topLogprobs!.every((t) => Number.isFinite(t.logprob))).toBe(true);
  });
});
