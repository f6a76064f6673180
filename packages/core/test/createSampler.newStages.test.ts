import { describe, expect, it } from "vitest";
import type { SamplerParams, Tokenizer } from "../src/index.js";
import { createSampler, InvalidParamsError, sampleBatch } from "../src/index.js";
import { CHI2_001, chiSquare } from "./samplers/chiSquare.js";
import { softmaxRef } from "./samplers/stageHelpers.js";

const L = Math.log;

/** Rows that change with the step, so stateful stages see different inputs (deterministic). */
function rowAt(k: number, v = 12): Float32Array {
  return Float32Array.from({ length: v }, (_, i) => Math.sin(i * 1.7 + k * 0.9) * 2 - i * 0.05);
}

/** Tokens of `n` steps from sampler `s`. */
function steps(s: ReturnType<typeof createSampler>, from: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => s.sample(rowAt(from + k)).token);
}

const tok: Tokenizer = {
  vocabSize: 12,
  tokenBytes: (id) => Uint8Array.of(97 + id),
  encode: (text) => Array.from(text, (ch) => ch.charCodeAt(0) - 97),
};

describe("createSampler with the second-round stages", () => {
  const stateful: { name: string; params: SamplerParams }[] = [
    { name: "mirostat 1", params: { mirostat: 1, mirostatTau: 3, mirostatEta: 0.3 } },
    { name: "mirostat 2", params: { mirostat: 2, mirostatTau: 2.5, mirostatEta: 0.3 } },
    { name: "dry", params: { dryMultiplier: 1.5, dryAllowedLength: 1, dryPenaltyLastN: 16 } },
    { name: "no-repeat-ngram", params: { noRepeatNgramSize: 2 } },
    { name: "banned sequences", params: { bannedSequences: [[0, 1], [3, 4, 5], "cd"] } },
    { name: "xtc", params: { xtcProbability: 0.5, xtcThreshold: 0.1 } },
  ];

  it.each(stateful)(
    "$name: state() → JSON → resume and clone() continue exactly like the original",
    ({ params }) => {
      const a = createSampler({ ...params, seed: 9 }, { tokenizer: tok, stream: 4 });
      steps(a, 0, 15);
      const saved = JSON.parse(JSON.stringify(a.state()));
      const b = a.clone();
      const c = createSampler({ ...params, seed: 9 }, { tokenizer: tok, state: saved });
      const want = steps(a, 15, 25);
      expect(steps(b, 15, 25)).toEqual(want);
      expect(steps(c, 15, 25)).toEqual(want);
    },
  );

  it("mirostat's μ is in the saved state and reset() restores 2τ", () => {
    const s = createSampler({ mirostat: 2, mirostatTau: 2, mirostatEta: 0.5 });
    steps(s, 0, 5);
    const i = s.stages.findIndex((x) => x.name === "mirostat_v2");
    const mu = () => ((s.state().stages ?? [])[i] as number[])[0];
    expect(typeof mu()).toBe("number");
    expect(mu()).not.toBe(4);
    s.reset();
    expect(mu()).toBe(4);
  });

  it("no-repeat-ngram and banned sequences never emit what they ban (200 steps)", () => {
    const s = createSampler({ noRepeatNgramSize: 2, bannedSequences: [[2, 3]], seed: 1 }, { stream: 2 });
    const out = steps(s, 0, 40);
    const seen = new Set<string>();
    for (let i = 0; i + 1 < out.length; i++) {
      const key = `${out[i]},${out[i + 1]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(key).not.toBe("2,3");
    }
  });

  it("min tokens holds back the EOS until step N, then lets it through", () => {
    const row = Float32Array.from([5, 0, 0]); // EOS = 0 is by far the most likely
    const s = createSampler({ minTokens: 3, temperature: 0 }, { eosIds: [0] });
    expect([0, 1, 2, 3].map(() => s.sample(row).token)).toEqual([1, 1, 1, 0]);
    expect(() => createSampler({ minTokens: 3 })).toThrow(/minTokens.*eosIds/);
  });

  it("strings need a tokenizer: banned strings without one are an InvalidParamsError", () => {
    expect(() => createSampler({ bannedSequences: ["ab"] })).toThrow(InvalidParamsError);
    const s = createSampler({ bannedSequences: ["ab"], temperature: 0 }, { tokenizer: tok });
    s.accept(0);
    const row = Float32Array.from({ length: 12 }, (_, i) => (i === 1 ? 5 : 0));
    expect(s.sample(row).token).not.toBe(1);
  });

  it("DRY's string breakers go through the tokenizer: a breaker token resets the repeat", () => {
    // history a b c a b: the repeat "a b" would continue with c (id 2); with the breaker "c" (one
    // token, found by scanning the tokenizer's vocabulary) c is never penalized
    const base = { dryMultiplier: 5, dryAllowedLength: 1, temperature: 0 };
    const row = Float32Array.from({ length: 12 }, (_, i) => (i === 2 ? 1 : 0));
    const withBreaker = createSampler({ ...base, drySequenceBreakers: ["c"] }, { tokenizer: tok });
    const without = createSampler({ ...base, drySequenceBreakers: [] }, { tokenizer: tok });
    for (const s of [withBreaker, without]) for (const t of [0, 1, 2, 0, 1]) s.accept(t);
    expect(withBreaker.sample(row).token).toBe(2);
    expect(without.sample(row).token).not.toBe(2);
  });

  it.each([
    { name: "epsilon 0.05", params: { epsilonCutoff: 0.05 }, keep: [0, 1, 2] },
    { name: "eta 0.15", params: { etaCutoff: 0.15 }, keep: [0, 1] },
  ])(
    "sampleBatch with $name draws from the renormalized survivors (χ² at a fixed seed)",
    ({ params, keep }) => {
      const row = [L(0.6), L(0.25), L(0.12), L(0.03)];
      const n = 20_000;
      const data = new Float32Array(n * 4);
      for (let r = 0; r < n; r++) data.set(row, r * 4);
      const counts = [0, 0, 0, 0];
      for (const t of sampleBatch(data, n, 4, { ...params, seed: 2 }).tokens) counts[t]!++;
      const p = softmaxRef(row).map((q, i) => (keep.includes(i) ? q : 0));
      const z = p.reduce((a, b) => a + b, 0);
      const { stat, df } = chiSquare(
        counts,
        p.map((q) => q / z),
      );
      expect(stat).toBeLessThan(CHI2_001[df]!);
    },
  );

  it("the new stages, off by default, leave every token of the default chain unchanged", () => {
    const first = [
      "logit_bias",
      "penalties",
      "temperature",
      "top_k",
      "top_p",
      "min_p",
      "typical_p",
      "top_n_sigma",
      "dist",
    ];
    const p = { temperature: 0.8, topK: 5, topP: 0.9, seed: 3 };
    const a = createSampler(p, { stream: 1 });
    const b = createSampler({ ...p, samplers: first }, { stream: 1 });
    expect(steps(a, 0, 50)).toEqual(steps(b, 0, 50));
  });
});
