import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSampler,
  EmptyCandidatesError,
  InvalidLogitsError,
  InvalidParamsError,
  type SamplerStage,
} from "../src/index.js";
import { logTol } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;

function logSoftmaxRef(row: number[]): number[] {
  const m = Math.max(...row);
  const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
  return row.map((v) => v - m - Math.log(z));
}

function randomRow(v: number, seed: number): Float32Array {
  const out = new Float32Array(v);
  let x = seed;
  for (let i = 0; i < v; i++) {
    x = (x * 48271) % 2147483647;
    out[i] = (x / 2147483647) * 8 - 4;
  }
  return out;
}

describe("createSampler", () => {
  it("reports the raw logprob, the rank and the top logprobs most likely first", () => {
    const row = [1, 3, 2, 3, NEG];
    const lp = logSoftmaxRef(row.map(Math.fround));
    const s = createSampler({ temperature: 0 });
    const r = s.sample(Float32Array.from(row), { logprobs: 3, processed: true });
    expect(r.token).toBe(1); // tie between 1 and 3 → lower id
    // Raw logprobs: the float32 exp-and-sum normalizer, logTol (derivation in softmaxReference.ts).
    expect(Math.abs(r.logprob - lp[1]!)).toBeLessThanOrEqual(logTol(5));
    expect(r.rank).toBe(1);
    expect(r.processedLogprob).toBe(0);
    expect(r.topLogprobs!.map((t) => t.token)).toEqual([1, 3, 2]);
    for (const t of r.topLogprobs!) expect(Math.abs(t.logprob - lp[t.token]!)).toBeLessThanOrEqual(logTol(5));
  });

  it("gives rank 1 + the number of strictly higher raw logits, and the processed logprob under the filters", () => {
    const row = [0, 1, 2, 3];
    // top-k 2 at T = 1 keeps {3, 2}; force token 2 with a logit bias... instead sample until token 2 appears
    const s = createSampler({ topK: 2, seed: 11 });
    const seen = new Map<number, { rank: number; p: number; lp: number }>();
    for (let i = 0; i < 64; i++) {
      const r = s.sample(Float32Array.from(row), { processed: true });
      seen.set(r.token, { rank: r.rank, p: r.processedLogprob!, lp: r.logprob });
    }
    expect([...seen.keys()].sort()).toEqual([2, 3]);
    const ref = logSoftmaxRef(row);
    const sub = logSoftmaxRef([3, 2]);
    expect(seen.get(3)!.rank).toBe(1);
    expect(seen.get(2)!.rank).toBe(2);
    expect(Math.abs(seen.get(2)!.lp - ref[2]!)).toBeLessThanOrEqual(logTol(4)); // raw: float32 normalizer
    expect(seen.get(3)!.p).toBeCloseTo(sub[0]!, 12);
    expect(seen.get(2)!.p).toBeCloseTo(sub[1]!, 12);
  });

  it("draws with uniform(seed, stream, step) and advances the step after each sample", () => {
    const row = randomRow(1000, 5);
    const a = createSampler({ seed: 3 }, { stream: 9 });
    const tokens = [0, 1, 2, 3].map(() => a.sample(row).token);
    expect(a.state().step).toBe(4);
    // a sampler resumed at step 2 continues with the same tokens
    const b = createSampler({ seed: 3 }, { state: { stream: 9, step: 2, recent: [] } });
    expect([b.sample(row).token, b.sample(row).token]).toEqual(tokens.slice(2));
    // another stream or seed gives another sequence
    const c = createSampler({ seed: 3 }, { stream: 10 });
    const d = createSampler({ seed: 4 }, { stream: 9 });
    expect([0, 1, 2, 3].map(() => c.sample(row).token)).not.toEqual(tokens);
    expect([0, 1, 2, 3].map(() => d.sample(row).token)).not.toEqual(tokens);
  });

  it("clones all state: a clone continues exactly like the original, and state() round-trips through JSON", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 12 }), (seed, warm) => {
        const params = {
          seed,
          temperature: 0.9,
          topK: 50,
          topP: 0.9,
          repetitionPenalty: 1.3,
          penaltyWindow: 8,
        };
        const row = randomRow(300, (seed % 1000) + 1);
        const a = createSampler(params, { stream: 2 });
        for (let i = 0; i < warm; i++) a.sample(row);
        const b = a.clone();
        const c = createSampler(params, { state: JSON.parse(JSON.stringify(a.state())) });
        for (let i = 0; i < 10; i++) {
          const t = a.sample(row).token;
          expect(b.sample(row).token).toBe(t);
          expect(c.sample(row).token).toBe(t);
        }
      }),
      { seed: 99, numRuns: 40 },
    );
  });

  it("keeps a clone independent of the original", () => {
    const row = randomRow(50, 2);
    const a = createSampler({ presencePenalty: 5, seed: 1 });
    a.sample(row);
    const b = a.clone();
    a.sample(row);
    a.sample(row);
    expect(b.state().step).toBe(1);
    expect(b.state().recent.length).toBe(1);
    expect(a.state().recent.length).toBe(3);
  });

  it("resets to step 0 with an empty penalty window", () => {
    const row = randomRow(100, 3);
    const a = createSampler({ frequencyPenalty: 2, seed: 8 });
    const first = [a.sample(row).token, a.sample(row).token];
    a.reset();
    expect(a.state()).toEqual({ stream: 0, step: 0, recent: [] });
    expect([a.sample(row).token, a.sample(row).token]).toEqual(first);
  });

  it("penalizes repeated tokens through the window (presence penalty forbids repeats with greedy)", () => {
    const s = createSampler({ presencePenalty: 100, samplers: ["penalties", "greedy"] });
    const row = Float32Array.from([5, 4, 3, 2]);
    expect([0, 1, 2, 3].map(() => s.sample(row).token)).toEqual([0, 1, 2, 3]);
    s.accept(3);
    expect(s.state().recent).toEqual([0, 1, 2, 3, 3]);
  });

  it("follows an explicit order: top-k before temperature differs from temperature 0 first", () => {
    const row = Float32Array.from([0, 1, 2, 3]);
    const s = createSampler({ topK: 1, temperature: 5, samplers: ["top_k", "temperature"] });
    expect(s.stages.map((x) => x.name)).toEqual(["top_k", "temperature", "dist"]);
    expect(s.sample(row).token).toBe(3);
    const g = createSampler({ samplers: ["greedy"] });
    expect(g.sample(Float32Array.from([1, 9, 9])).token).toBe(1);
  });

  it("names the row in a typed error for NaN, +Infinity, empty or all-masked rows", () => {
    const s = createSampler({});
    for (const bad of [[1, Number.NaN], [Number.POSITIVE_INFINITY], [], [NEG, NEG]]) {
      let err: unknown;
      try {
        s.sample(Float32Array.from(bad), { row: 17 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidLogitsError);
      expect((err as InvalidLogitsError).row).toBe(17);
    }
    expect(s.state().step).toBe(0); // a failed row does not advance
  });

  it("reports a stage that leaves nothing as EmptyCandidatesError naming the row and stage", () => {
    const empty: SamplerStage = {
      name: "drop_all",
      apply(c) {
        c.size = 0;
      },
      clone() {
        return empty;
      },
    };
    const s = createSampler({}, { stages: [{ before: "logit_bias", stage: empty }] });
    let err: unknown;
    try {
      s.sample(Float32Array.from([1, 2]), { row: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EmptyCandidatesError);
    expect((err as EmptyCandidatesError).stage).toBe("drop_all");
    expect((err as EmptyCandidatesError).row).toBe(4);
  });

  it("rejects bad stream, state and logprobs values", () => {
    expect(() => createSampler({}, { stream: -1 })).toThrow(InvalidParamsError);
    expect(() => createSampler({}, { state: { stream: 0, step: 0.5, recent: [] } })).toThrow(
      InvalidParamsError,
    );
    expect(() => createSampler({}).sample(Float32Array.from([1]), { logprobs: -1 })).toThrow(
      InvalidParamsError,
    );
  });

  it("reuses the top-p exponentials as the raw normalizer with a bit-identical logprob", () => {
    const row = randomRow(20_000, 31);
    const fast = createSampler({ topP: 0.9, seed: 4 });
    const noop: SamplerStage = { name: "noop", apply() {}, clone: () => noop };
    // a custom stage first disables every fast path
    const slow = createSampler({ topP: 0.9, seed: 4 }, { stages: [{ before: "logit_bias", stage: noop }] });
    for (let i = 0; i < 20; i++) {
      const a = fast.sample(row, { processed: true });
      const b = slow.sample(row, { processed: true });
      expect(a).toEqual(b);
      expect(a.logprob).toBe(b.logprob);
    }
  });

  it("never returns a masked token and reports a finite logprob, for any params (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float({ min: -20, max: 20, noNaN: true }), fc.constant(NEG)), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.record({
          temperature: fc.constantFrom(0, 0.3, 1, 2.5),
          topK: fc.integer({ min: -1, max: 50 }),
          topP: fc.constantFrom(1e-6, 0.3, 0.9, 1),
          minP: fc.constantFrom(0, 0.05, 0.5, 1),
          typicalP: fc.constantFrom(0.2, 0.95, 1),
          topNSigma: fc.constantFrom(0, 0.5, 2),
          repetitionPenalty: fc.constantFrom(1, 1.5),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (vals, params) => {
          const row = Float32Array.from(vals);
          if (!row.some((v) => v !== NEG)) row[0] = 0;
          const s = createSampler(params);
          for (let i = 0; i < 3; i++) {
            const r = s.sample(row, { processed: true });
            expect(row[r.token]).not.toBe(NEG);
            expect(Number.isFinite(r.logprob)).toBe(true);
            expect(r.processedLogprob!).toBeLessThanOrEqual(0);
            expect(r.rank).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { seed: 2026, numRuns: 300 },
    );
  });

  it("samples the greedy token at temperature 0 under every filter", () => {
    const row = randomRow(5000, 77);
    let best = 0;
    for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
    for (const p of [
      { temperature: 0 },
      { temperature: 0, topK: 40, topP: 0.9, minP: 0.1 },
      { temperature: 0, typicalP: 0.5 },
    ]) {
      expect(createSampler({ ...p, seed: 1 }).sample(row).token).toBe(best);
    }
  });
});
