import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSampler,
  EmptyCandidatesError,
  InvalidLogitsError,
  InvalidParamsError,
  type SamplerParams,
  sampleBatch,
  scoreBatch,
} from "../src/index.js";

function batch(rows: number, vocab: number, seed: number): Float32Array {
  const out = new Float32Array(rows * vocab);
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (x * 48271) % 2147483647;
    out[i] = (x / 2147483647) * 10 - 5;
  }
  return out;
}

const params: SamplerParams = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 2024 };

describe("sampleBatch", () => {
  it("samples row r like a fresh sampler on stream firstRow + r at step 0", () => {
    const v = 500;
    const data = batch(6, v, 1);
    const res = sampleBatch(data, 6, v, params, { firstRow: 100, logprobs: 3, processed: true });
    for (let r = 0; r < 6; r++) {
      const s = createSampler(params, { stream: 100 + r });
      const one = s.sample(data.subarray(r * v, (r + 1) * v), { logprobs: 3, processed: true });
      expect(res.tokens[r]).toBe(one.token);
      expect(res.logprobs[r]).toBe(one.logprob);
      expect(res.ranks[r]).toBe(one.rank);
      expect(res.processedLogprobs![r]).toBe(one.processedLogprob);
      expect(Array.from(res.topTokens!.subarray(r * 3, r * 3 + 3))).toEqual(
        one.topLogprobs!.map((t) => t.token),
      );
      expect(Array.from(res.topLogprobs!.subarray(r * 3, r * 3 + 3))).toEqual(
        one.topLogprobs!.map((t) => t.logprob),
      );
    }
  });

  it("gives the same tokens for any split of the job (property, fixed seed)", () => {
    const v = 300;
    const rows = 24;
    const data = batch(rows, v, 7);
    const whole = sampleBatch(data, rows, v, params);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 24 }), (sizes) => {
        let start = 0;
        const tokens: number[] = [];
        for (const size of sizes) {
          if (start >= rows) break;
          const n = Math.min(size, rows - start);
          const part = sampleBatch(data.subarray(start * v, (start + n) * v), n, v, params, {
            firstRow: start,
          });
          tokens.push(...part.tokens);
          start += n;
        }
        if (start < rows) {
          tokens.push(
            ...sampleBatch(data.subarray(start * v), rows - start, v, params, { firstRow: start }).tokens,
          );
        }
        expect(tokens).toEqual(Array.from(whole.tokens));
      }),
      { seed: 5, numRuns: 50 },
    );
  });

  it("reports the same raw logprob and rank as scoreBatch for the sampled tokens", () => {
    const v = 2000;
    const data = batch(5, v, 13);
    for (const p of [params, { topP: 0.9, seed: 3 }, { seed: 1 }]) {
      const res = sampleBatch(data, 5, v, p, { firstRow: 7 });
      const score = scoreBatch(data, 5, v, res.tokens);
      expect(Array.from(res.ranks)).toEqual(Array.from(score.ranks));
      for (let r = 0; r < 5; r++) expect(res.logprobs[r]).toBeCloseTo(score.logprobs[r]!, 12);
    }
  });

  it("accepts per-row params", () => {
    const v = 4;
    const data = Float32Array.from([0, 1, 2, 3, 3, 2, 1, 0]);
    const res = sampleBatch(data, 2, v, [
      { temperature: 0 },
      { samplers: ["logit_bias", "greedy"], logitBias: { "3": 10 } },
    ]);
    expect(Array.from(res.tokens)).toEqual([3, 3]);
    expect(Array.from(res.ranks)).toEqual([1, 4]);
  });

  it("skips bad rows with typed errors naming the global row, and throws by default", () => {
    const v = 3;
    const NEG = Number.NEGATIVE_INFINITY;
    const data = Float32Array.from([0, 1, 2, Number.NaN, 0, 0, NEG, NEG, NEG, 2, 1, 0]);
    const res = sampleBatch(data, 4, v, { temperature: 0 }, { firstRow: 10, onError: "skip", logprobs: 2 });
    expect(Array.from(res.tokens)).toEqual([2, -1, -1, 0]);
    expect(res.errors.map((e) => (e as InvalidLogitsError).row)).toEqual([11, 12]);
    expect(res.errors.every((e) => e instanceof InvalidLogitsError)).toBe(true);
    expect(Number.isNaN(res.logprobs[1])).toBe(true);
    expect(Array.from(res.topTokens!.subarray(2, 4))).toEqual([-1, -1]);
    expect(() => sampleBatch(data, 4, v, {}, { firstRow: 10 })).toThrow(/row 11, index 0: NaN/);
    expect(new EmptyCandidatesError(3, "top_p").row).toBe(3);
  });

  it("rejects bad shapes and params before touching any row", () => {
    const data = new Float32Array(6);
    expect(() => sampleBatch(data, 3, 3, {})).toThrow(InvalidParamsError);
    expect(() => sampleBatch(data, 2, 3, [{}, { topP: 2 }], { onError: "skip" })).toThrow(InvalidParamsError);
    expect(() => sampleBatch(data, 2, 3, [{}])).toThrow(InvalidParamsError);
    expect(sampleBatch(data, 0, 3, {}).tokens.length).toBe(0);
  });
});
