import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  camelCaseName,
  DEFAULT_SAMPLER_PARAMS,
  fromSnakeCaseParams,
  InvalidParamsError,
  type SamplerParams,
  snakeCaseName,
  splitSamplerParams,
  toSnakeCaseParams,
  validateSamplerParams,
} from "../src/index.js";

describe("camelCaseName / snakeCaseName", () => {
  it.each([
    // The OpenAI / vLLM request names, written out by hand.
    ["top_p", "topP"],
    ["top_k", "topK"],
    ["min_p", "minP"],
    ["typical_p", "typicalP"],
    ["top_n_sigma", "topNSigma"],
    ["max_tokens", "maxTokens"],
    ["max_completion_tokens", "maxTokens"],
    ["frequency_penalty", "frequencyPenalty"],
    ["presence_penalty", "presencePenalty"],
    ["repetition_penalty", "repetitionPenalty"],
    ["penalty_window", "penaltyWindow"],
    ["logit_bias", "logitBias"],
    ["top_logprobs", "logprobs"],
    ["logprobs", "logprobs"],
    ["stop", "stop"],
    ["seed", "seed"],
    ["temperature", "temperature"],
    ["topP", "topP"],
  ])("reads %s as %s", (given, camel) => {
    expect(camelCaseName(given)).toBe(camel);
  });

  it.each([
    ["topNSigma", "top_n_sigma"],
    ["logitBias", "logit_bias"],
    ["repetitionPenalty", "repetition_penalty"],
    ["seed", "seed"],
  ])("writes %s as %s", (camel, snake) => {
    expect(snakeCaseName(camel)).toBe(snake);
  });

  it("round-trips the snake_case form of every sampler parameter", () => {
    for (const name of Object.keys(DEFAULT_SAMPLER_PARAMS)) {
      expect(camelCaseName(snakeCaseName(name))).toBe(name);
    }
  });
});

describe("fromSnakeCaseParams", () => {
  it("converts an OpenAI-shaped request body", () => {
    const body = {
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 16,
      frequency_penalty: 0.5,
      presence_penalty: 0.25,
      logit_bias: { "50256": -100 },
      stop: ["\n"],
      seed: 7,
      logprobs: true,
      top_logprobs: 3,
    };
    expect(fromSnakeCaseParams(body)).toEqual({
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 16,
      frequencyPenalty: 0.5,
      presencePenalty: 0.25,
      logitBias: { "50256": -100 },
      stop: ["\n"],
      seed: 7,
      logprobs: 3,
    });
  });

  it("keeps vLLM's integer logprobs (the top-N count) and reads a msgpack Map", () => {
    const m = new Map<string, unknown>([
      ["logprobs", 5],
      ["top_k", 40],
      ["min_p", 0.05],
    ]);
    expect(fromSnakeCaseParams(m)).toEqual({ logprobs: 5, topK: 40, minP: 0.05 });
  });

  it("leaves camelCase names as they are, mixed with snake_case ones", () => {
    expect(fromSnakeCaseParams({ topK: 3, top_p: 0.5 })).toEqual({ topK: 3, topP: 0.5 });
  });

  it.each<[string, unknown]>([
    ["topP", { top_p: 0.9, topP: 0.9 }],
    ["logprobs", { logprobs: 5, top_logprobs: 3 }],
    ["maxTokens", { max_tokens: 5, max_completion_tokens: 5 }],
  ])("rejects %s given twice, naming both spellings", (param, input) => {
    let err: unknown;
    try {
      fromSnakeCaseParams(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as InvalidParamsError).param).toBe(param);
    expect((err as Error).message).toMatch(/given twice/);
  });

  it.each<[unknown, RegExp]>([
    [null, /got null/],
    [[1, 2], /got an array/],
    ["top_p=0.9", /got "top_p=0.9" \(a string\)/],
    [new Map<unknown, unknown>([[1, 2]]), /keys must be strings, got 1/],
  ])("rejects a non-object %j with a typed error", (input, message) => {
    expect(() => fromSnakeCaseParams(input)).toThrow(InvalidParamsError);
    expect(() => fromSnakeCaseParams(input)).toThrow(message);
  });

  it("refuses __proto__ instead of changing the result's prototype", () => {
    const input = JSON.parse('{"__proto__": {"topP": 0.1}, "seed": 1}');
    expect(() => fromSnakeCaseParams(input)).toThrow(InvalidParamsError);
  });

  it("passes unknown names through for the validator to reject", () => {
    const p = fromSnakeCaseParams({ best_of: 2 });
    expect(p).toEqual({ bestOf: 2 });
    expect(() => validateSamplerParams(p as SamplerParams)).toThrow(/unknown parameter/);
  });

  it("inverts toSnakeCaseParams for any sampler params (property)", () => {
    const params = fc.record(
      {
        temperature: fc.double({ min: 0, max: 4, noNaN: true }),
        topK: fc.integer({ min: 0, max: 100 }),
        topP: fc.double({ min: 0.01, max: 1, noNaN: true }),
        topNSigma: fc.double({ min: 0, max: 3, noNaN: true }),
        repetitionPenalty: fc.double({ min: 0.5, max: 2, noNaN: true }),
        penaltyWindow: fc.integer({ min: 0, max: 256 }),
        logitBias: fc.dictionary(
          fc.integer({ min: 0, max: 1000 }).map(String),
          fc.double({ min: -10, max: 10, noNaN: true }),
        ),
        seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(params, (p) => {
        expect(fromSnakeCaseParams(toSnakeCaseParams(p))).toEqual(p);
      }),
    );
  });
});

describe("splitSamplerParams", () => {
  it("separates the sampler's parameters from the request's options", () => {
    expect(
      splitSamplerParams({ temperature: 0, max_tokens: 4, stop: ".", top_logprobs: 2, top_k: 5 }),
    ).toEqual({
      sampler: { temperature: 0, topK: 5 },
      rest: { maxTokens: 4, stop: ".", logprobs: 2 },
    });
  });
});
