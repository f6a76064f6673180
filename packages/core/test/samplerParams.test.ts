import { describe, expect, it } from "vitest";
import type { SamplerParams } from "../src/index.js";
import {
  createSampler,
  DEFAULT_SAMPLER_PARAMS,
  InvalidParamsError,
  resolveSamplerParams,
  validateSamplerParams,
} from "../src/index.js";

describe("validateSamplerParams", () => {
  it.each<[string, SamplerParams | Record<string, unknown>]>([
    ["topP", { topP: 0 }],
    ["topP", { topP: 1.5 }],
    ["topP", { topP: -0.1 }],
    ["topP", { topP: Number.NaN }],
    ["temperature", { temperature: -1 }],
    ["temperature", { temperature: Number.POSITIVE_INFINITY }],
    ["topK", { topK: 2.5 }],
    ["minP", { minP: -0.1 }],
    ["minP", { minP: 1.2 }],
    ["typicalP", { typicalP: 0 }],
    ["topNSigma", { topNSigma: -1 }],
    ["repetitionPenalty", { repetitionPenalty: 0 }],
    ["frequencyPenalty", { frequencyPenalty: Number.POSITIVE_INFINITY }],
    ["penaltyWindow", { penaltyWindow: 1.5 }],
    ["seed", { seed: -1 }],
    ["seed", { seed: 2 ** 32 }],
    ["logitBias", { logitBias: { abc: 1 } }],
    ["logitBias", { logitBias: { "-1": 1 } }],
    ["logitBias", { logitBias: { "3": Number.NaN } }],
    ["samplers", { samplers: ["top_k", "nucleus"] }],
    ["samplers", { samplers: ["dist", "top_k"] }],
    ["samplers", { samplers: ["top_k", "top_k"] }],
    ["topq", { topq: 0.5 }],
    ["temperature", { temperature: "0.5" }],
  ])("rejects an invalid %s with a typed error at construction: %j", (param, p) => {
    let err: unknown;
    try {
      createSampler(p as SamplerParams);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as InvalidParamsError).param).toBe(param);
  });

  it("accepts the edges of every range", () => {
    for (const p of [
      {},
      { topP: 1 },
      { topP: 1e-9 },
      { temperature: 0 },
      { topK: -5 },
      { topK: 0 },
      { minP: 0 },
      { minP: 1 },
      { seed: 2 ** 32 - 1 },
      { logitBias: { "0": -100, "50256": 100 } },
      { samplers: ["top_k", "temperature"] },
      { penaltyWindow: 0 },
    ]) {
      expect(() => validateSamplerParams(p)).not.toThrow();
    }
  });

  it("fills defaults and appends dist to an order without a terminal stage", () => {
    const r = resolveSamplerParams({ topK: 40, samplers: ["top_k", "temperature"] });
    expect(r.topP).toBe(1);
    expect(r.penaltyWindow).toBe(64);
    expect(r.samplers).toEqual(["top_k", "temperature", "dist"]);
    expect(DEFAULT_SAMPLER_PARAMS.samplers.at(-1)).toBe("dist");
    // The Hugging Face / vLLM order of the design, every filter, dist as the terminal.
    expect(DEFAULT_SAMPLER_PARAMS.samplers).toEqual([
      "logit_bias",
      "penalties",
      "temperature",
      "top_k",
      "top_p",
      "min_p",
      "typical_p",
      "top_n_sigma",
      "dist",
    ]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
