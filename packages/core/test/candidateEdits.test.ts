import { describe, expect, it } from "vitest";
import {
  type CandidateSet,
  createSampler,
  filterCandidates,
  type SamplerStage,
  updateLogits,
} from "../src/index.js";

const NEG = Number.NEGATIVE_INFINITY;

/** A custom stage that records what it saw and then applies `edit`. */
function stage(
  name: string,
  edit: (c: CandidateSet, ctx: Parameters<SamplerStage["apply"]>[1]) => void,
): SamplerStage {
  const s: SamplerStage = { name, apply: (c, ctx) => edit(c, ctx), clone: () => s };
  return s;
}

/** The processed distribution the sampler draws from, by sampling the token set's logprobs. */
function kept(
  params: object,
  custom: SamplerStage,
  anchor: { before?: string; after?: string },
  row: number[],
) {
  let seen: number[] = [];
  const spy = stage("spy", (c) => {
    seen = Array.from(c.ids.subarray(0, c.size)).sort((a, b) => a - b);
  });
  createSampler(params, { stages: [{ ...anchor, stage: custom }, { stage: spy }] }).sample(
    Float32Array.from(row),
  );
  return seen;
}

describe("custom stages: the candidate surface (filterCandidates, updateLogits)", () => {
  it("filterCandidates bans tokens anywhere in the chain, keeping order and the draw exact", () => {
    const banned = new Set([1, 3]);
    const ban = stage("ban", (c) => void filterCandidates(c, (id) => !banned.has(id)));
    const row = [0, 5, 1, 4, 2];
    // before top-k: top-2 of the rest is {4, 2}; after top-k (k = 3 keeps {1, 3, 4}): only {4} is left
    expect(kept({ topK: 2 }, ban, { before: "top_k" }, row)).toEqual([2, 4]);
    expect(kept({ topK: 3 }, ban, { after: "top_k" }, row)).toEqual([4]);
    // greedy after the ban picks the best unbanned token
    const g = createSampler({ temperature: 0 }, { stages: [{ before: "temperature", stage: ban }] });
    expect(g.sample(Float32Array.from(row)).token).toBe(4);
  });

  it("filterCandidates after top-p keeps the processed logprob normalized over what is left", () => {
    // top-p 0.99 keeps all three of [log .5, log .3, log .2]; banning token 0 leaves .3 and .2 → 0.6 / 0.4
    const ban = stage("ban0", (c) => void filterCandidates(c, (id) => id !== 0));
    const s = createSampler({ topP: 0.99, seed: 3 }, { stages: [{ after: "top_p", stage: ban }] });
    const row = Float32Array.from([0.5, 0.3, 0.2].map(Math.log));
    for (let i = 0; i < 20; i++) {
      const r = s.sample(row, { processed: true });
      expect(r.token).not.toBe(0);
      expect(r.processedLogprob!).toBeCloseTo(Math.log(r.token === 1 ? 0.6 : 0.4), 6);
    }
  });

  it("updateLogits reweights with the history in the context, and restores id order after top-k", () => {
    // Penalize every token seen so far by −10: after accepting 3, greedy moves to the next best.
    const penal = stage("penal", (c, ctx) => {
      const seen = new Set(ctx.history);
      updateLogits(c, ctx, (id, v) => (seen.has(id) ? v - 10 : v));
      expect(c.sorted).toBe(false);
      for (let i = 1; i < c.size; i++) expect(c.ids[i]!).toBeGreaterThan(c.ids[i - 1]!);
    });
    const s = createSampler(
      { topK: 3, samplers: ["top_k", "greedy"] },
      { stages: [{ after: "top_k", stage: penal }] },
    );
    const row = Float32Array.from([0, 5, 1, 4, 2]);
    // top-3 = {1, 3, 4} (sorted); nothing seen → 1; after 1 is seen: 1 gets −5 → 3 (logit 4)
    expect(s.sample(row).token).toBe(1);
    expect(s.sample(row).token).toBe(3);
    expect(s.sample(row).token).toBe(4); // 1 → −5, 3 → −6, 4 stays 2
  });

  it("updateLogits to −Infinity masks a token without removing it; masking all is an empty-set error", () => {
    const mask = stage("mask", (c, ctx) => updateLogits(c, ctx, (id, v) => (id === 1 ? NEG : v)));
    const s = createSampler({ seed: 1 }, { stages: [{ stage: mask }] });
    for (let i = 0; i < 30; i++) expect(s.sample(Float32Array.from([0, 9, 0])).token).not.toBe(1);
    const none = stage("none", (c) => void filterCandidates(c, () => false));
    expect(() => createSampler({}, { stages: [{ stage: none }] }).sample(Float32Array.from([1, 2]))).toThrow(
      /none/,
    );
  });
});
