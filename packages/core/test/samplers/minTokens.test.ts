import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSampler, createSamplingContext, dist, topK } from "../../src/index.js";
import { minTokens } from "../../src/samplers/minTokens.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { NEG, order, run, softmaxRef } from "./stageHelpers.js";

/** A row (float32 values, ties possible), 1–2 EOS ids that leave another token, n, a prompt length. */
const caseArb = fc
  .array(
    fc.integer({ min: -16, max: 16 }).map((v) => v / 4),
    { minLength: 2, maxLength: 12 },
  )
  .chain((row) =>
    fc.record({
      row: fc.constant(row),
      eos: fc.uniqueArray(fc.integer({ min: 0, max: row.length - 1 }), {
        minLength: 1,
        maxLength: Math.min(2, row.length - 1),
      }),
      n: fc.integer({ min: 0, max: 6 }),
      prompt: fc.array(fc.integer({ min: 0, max: row.length - 1 }), { maxLength: 5 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    }),
  );

describe("minTokens", () => {
  it.each([
    { step: 0, n: 2, banned: true },
    { step: 1, n: 2, banned: true },
    { step: 2, n: 2, banned: false },
    { step: 0, n: 0, banned: false },
  ])("at step $step with n = $n the EOS is banned: $banned", ({ step, n, banned }) => {
    const r = run([1, 2, 0]);
    minTokens(n, [1]).apply(r.c, createSamplingContext(3, { step }));
    expect(r.c.logits[1] === NEG).toBe(banned);
    expect(r.c.logits[0]).toBe(1);
  });

  it("removes the EOS ids from a sorted set and keeps it sorted", () => {
    const r = run([1, 5, 0, 3], topK(3));
    minTokens(1, [1, 3]).apply(r.c, createSamplingContext(4));
    expect(Array.from(r.c.ids.subarray(0, r.c.size))).toEqual([0]);
    expect(r.c.sorted).toBe(true);
  });

  it("never draws the EOS before n (χ² at a fixed seed: the rest keeps its proportions)", () => {
    const row = [0, Math.log(3), Math.log(2)]; // EOS = 1
    const counts = drawCounts(row, () => [minTokens(5, [1]), dist()], 20_000, 3);
    expect(counts[1]).toBe(0);
    const { stat, df } = chiSquare(counts, [1 / 3, 0, 2 / 3]);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("the full sampler: EOS never before n generated tokens, its mass spread pro rata; after n nothing changes (property, fixed seed)", () => {
    fc.assert(
      fc.property(caseArb, ({ row, eos, n, prompt, seed }) => {
        const p = softmaxRef(row);
        const pEos = eos.reduce((a, i) => a + p[i]!, 0);
        const data = Float32Array.from(row);
        const s = createSampler({ minTokens: n, seed }, { eosIds: eos });
        for (const t of prompt) s.accept(t); // prompt tokens do not count towards n
        for (let step = 0; step < n + 3; step++) {
          const { token, processedLogprob } = s.sample(data, { processed: true });
          if (step < n) {
            expect(eos, `step ${step} < n = ${n}`).not.toContain(token);
            // the others keep their ratios: p_t / (1 − Σ p_eos)
            expect(processedLogprob!).toBeCloseTo(Math.log(p[token]! / (1 - pEos)), 5);
          } else {
            expect(processedLogprob!).toBeCloseTo(Math.log(p[token]!), 5);
          }
        }
      }),
      { seed: 41, numRuns: 150 },
    );
  });

  it("greedy with an EOS on top: the best other token until step n, the EOS from step n on (property, fixed seed)", () => {
    fc.assert(
      fc.property(caseArb, ({ row, eos, n, prompt }) => {
        const top = [...row];
        top[eos[0]!] = Math.max(...row) + 1; // the EOS is the unique argmax
        const others = order(top).filter((i) => !eos.includes(i));
        const s = createSampler({ minTokens: n, temperature: 0 }, { eosIds: eos });
        for (const t of prompt) s.accept(t);
        const got = Array.from({ length: n + 3 }, () => s.sample(Float32Array.from(top)).token);
        const want = Array.from({ length: n + 3 }, (_, step) => (step < n ? others[0]! : eos[0]!));
        expect(got).toEqual(want);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("throws EmptyCandidatesError naming min_tokens when only the EOS is left", () => {
    const r = run([NEG, 0]);
    expect(() => minTokens(1, [1]).apply(r.c, createSamplingContext(2, { row: 3 }))).toThrow(
      /row 3.*min_tokens/,
    );
  });
});
