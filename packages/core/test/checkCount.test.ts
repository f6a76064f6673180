import { describe, expect, it } from "vitest";
import {
  checkCount,
  describeValue,
  InvalidParamsError,
  MAX_TOP_N,
  MAX_VOCAB,
  validateSamplerParams,
} from "../src/index.js";

describe("describeValue", () => {
  it.each<[unknown, string]>([
    ["5", '"5" (a string)'],
    ["x", '"x" (a string)'],
    [5, "5"],
    [1e21, "1e+21"],
    [Number.NaN, "NaN"],
    [true, "true (a boolean)"],
    [null, "null"],
    [undefined, "undefined"],
    [[1], "an array"],
    [{}, "an object"],
    [new Float32Array(1), "a Float32Array"],
    [5n, "5n (a bigint)"],
    ["a".repeat(50), `"${"a".repeat(40)}…" (a string)`],
  ])("describes case %# as %s", (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

describe("checkCount", () => {
  it("returns an integer inside the bounds", () => {
    expect(checkCount("top", 0, 10)).toBe(0);
    expect(checkCount("top", 10, 10)).toBe(10);
    expect(checkCount("rows", 3, 10, 1)).toBe(3);
  });

  it.each<[unknown, string]>([
    ["5", 'invalid parameter "logprobs": must be an integer in [0, 4096], got "5" (a string)'],
    [4097, 'invalid parameter "logprobs": must be an integer in [0, 4096], got 4097'],
    [1e9, 'invalid parameter "logprobs": must be an integer in [0, 4096], got 1000000000'],
    [-1, 'invalid parameter "logprobs": must be an integer in [0, 4096], got -1'],
    [1.5, 'invalid parameter "logprobs": must be an integer in [0, 4096], got 1.5'],
    [Number.NaN, 'invalid parameter "logprobs": must be an integer in [0, 4096], got NaN'],
  ])("rejects %j with a message that shows it as given", (value, message) => {
    expect(() => checkCount("logprobs", value, MAX_TOP_N)).toThrow(InvalidParamsError);
    expect(() => checkCount("logprobs", value, MAX_TOP_N)).toThrow(message);
  });

  it("documents the bounds it is used with", () => {
    expect(MAX_TOP_N).toBe(4096);
    expect(MAX_VOCAB).toBe(2 ** 24);
  });
});

describe("sampler params messages", () => {
  it("show a numeric string as a string", () => {
    expect(() => validateSamplerParams({ temperature: "0.5" } as never)).toThrow(
      'invalid parameter "temperature": must be a number, got "0.5" (a string)',
    );
  });
});
