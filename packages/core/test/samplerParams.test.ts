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
    // The masks (min tokens, banned sequences, n-grams) sit with the logit bias, DRY with the penalties,
    // the second-round truncations after the first-round ones.
    expect(DEFAULT_SAMPLER_PARAMS.samplers).toEqual([
      "logit_bias",
      "min_tokens",
      "banned_sequences",
      "no_repeat_ngram",
      "penalties",
      "dry",
      "temperature",
      "top_k",
      "top_p",
      "min_p",
      "typical_p",
      "top_n_sigma",
      "epsilon_cutoff",
      "eta_cutoff",
      "xtc",
      "dist",
    ]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it.each([
    { p: { xtcProbability: 1.5 }, msg: /xtcProbability.*\[0, 1\]/ },
    { p: { dryBase: 0.5 }, msg: /dryBase.*≥ 1/ },
    { p: { dryAllowedLength: 0 }, msg: /dryAllowedLength/ },
    { p: { dryPenaltyLastN: -2 }, msg: /dryPenaltyLastN/ },
    { p: { drySequenceBreakers: [1] }, msg: /drySequenceBreakers.*strings/ },
    { p: { mirostat: 3 }, msg: /mirostat.*0 \(off\), 1 or 2/ },
    { p: { mirostatTau: 0 }, msg: /mirostatTau/ },
    { p: { dynatempRange: -1 }, msg: /dynatempRange/ },
    { p: { epsilonCutoff: 1 }, msg: /epsilonCutoff.*\[0, 1\)/ },
    { p: { etaCutoff: Number.NaN }, msg: /etaCutoff/ },
    { p: { noRepeatNgramSize: 1.5 }, msg: /noRepeatNgramSize.*integer/ },
    { p: { bannedSequences: [[1, -1]] }, msg: /bannedSequences.*entry 0/ },
    { p: { minTokens: -1 }, msg: /minTokens/ },
    { p: { mirostat: 2, samplers: ["top_k", "greedy"] }, msg: /cannot end in "greedy"/ },
    { p: { samplers: ["mirostat", "top_k"] }, msg: /terminal stage "mirostat" must be last/ },
  ])("rejects the second-round parameter $p", ({ p, msg }) => {
    expect(() => resolveSamplerParams(p as never)).toThrow(msg);
  });

  it("mirostat 1 | 2 replaces dist as the terminal; an explicit list keeps its own terminal otherwise", () => {
    expect(resolveSamplerParams({ mirostat: 1 }).samplers.at(-1)).toBe("mirostat");
    expect(resolveSamplerParams({ mirostat: 2, samplers: ["temperature"] }).samplers).toEqual([
      "temperature",
      "mirostat_v2",
    ]);
    expect(resolveSamplerParams({ samplers: ["temperature", "mirostat"] }).samplers).toEqual([
      "temperature",
      "mirostat",
    ]);
    expect(resolveSamplerParams({}).drySequenceBreakers).toEqual(["\n", ":", '"', "*"]);
  });
});
