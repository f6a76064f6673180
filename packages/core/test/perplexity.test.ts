import { describe, expect, it } from "vitest";
import { InvalidParamsError, perplexity } from "../src/index.js";

describe("perplexity", () => {
  it.each([
    { lps: [Math.log(0.5), Math.log(0.125)], ppl: 4 },
    { lps: [Math.log(0.5), Number.NaN, Math.log(0.125)], ppl: 4 },
    { lps: [0, 0, 0], ppl: 1 },
    { lps: [Math.log(0.1)], ppl: 10 },
    { lps: [Math.log(0.5), Number.NEGATIVE_INFINITY], ppl: Number.POSITIVE_INFINITY },
  ])("is exp(−mean log p) over the scored entries of $lps", ({ lps, ppl }) => {
    const got = perplexity(lps);
    if (ppl === Number.POSITIVE_INFINITY) expect(got).toBe(ppl);
    else expect(Math.abs(got - ppl)).toBeLessThan(1e-12 * ppl);
  });

  it("accepts a Float64Array such as scoreBatch's logprobs", () => {
    expect(Math.abs(perplexity(Float64Array.of(Math.log(0.25), Math.log(0.25))) - 4)).toBeLessThan(1e-12);
  });

  it("rejects input with no scored entry and positive log-probabilities", () => {
    expect(() => perplexity([])).toThrow(InvalidParamsError);
    expect(() => perplexity([Number.NaN])).toThrow(InvalidParamsError);
    expect(() => perplexity([-1, 0.5])).toThrow(/entry 1 is 0.5/);
  });
});
