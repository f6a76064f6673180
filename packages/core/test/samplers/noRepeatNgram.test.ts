import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSamplingContext, topK } from "../../src/index.js";
import { noRepeatNgram } from "../../src/samplers/noRepeatNgram.js";
import { CHI2_001, chiSquare, samplerCounts } from "./chiSquare.js";
import { NEG, run, softmaxRef } from "./stageHelpers.js";

/** Hugging Face's _get_generated_ngrams, directly: scan every n-gram of h for the last n−1 tokens. */
function bannedRef(h: number[], n: number): number[] {
  if (n <= 0 || h.length + 1 < n) return [];
  const prefix = h.slice(h.length - n + 1);
  const out = new Set<number>();
  for (let i = 0; i + n <= h.length; i++) {
    if (h.slice(i, i + n - 1).every((t, k) => t === prefix[k])) out.add(h[i + n - 1]!);
  }
  return [...out].sort((a, b) => a - b);
}

/** Banned ids after accepting `h`: the tokens whose logit became −∞ or that were removed. */
function bannedBy(h: number[], n: number, v: number, sorted = false): number[] {
  const s = noRepeatNgram(n);
  for (const t of h) s.accept!(t);
  const row = Array.from({ length: v }, (_, i) => -i / 10);
  const r = sorted ? run(row, topK(v - 1)) : run(row);
  s.apply(r.c, createSamplingContext(v));
  const live = new Set<number>();
  for (let i = 0; i < r.c.size; i++) if (r.c.logits[i] !== NEG) live.add(r.c.ids[i]!);
  const all = sorted ? Array.from({ length: v - 1 }, (_, i) => i) : Array.from({ length: v }, (_, i) => i);
  return all.filter((i) => !live.has(i));
}

describe("noRepeatNgram", () => {
  it.each([
    { h: [5, 6, 5], n: 2, want: [6], note: "(5, 6) would repeat" },
    { h: [1, 2, 3, 1, 2], n: 3, want: [3], note: "(1, 2, 3) would repeat" },
    { h: [1, 2, 3, 1, 2], n: 2, want: [3], note: "after 2 came 3" },
    { h: [1, 2, 1, 3, 1], n: 2, want: [2, 3], note: "after 1 came 2 and 3" },
    { h: [4, 4, 7], n: 1, want: [4, 7], note: "n = 1 bans every token seen" },
    { h: [1, 2], n: 4, want: [], note: "shorter than n − 1: nothing banned" },
    { h: [1, 1, 1], n: 0, want: [], note: "n = 0 is off" },
  ])("history $h, n = $n bans $want ($note)", ({ h, n, want }) => {
    expect(bannedBy(h, n, 10)).toEqual(want);
    expect(bannedBy(h, n, 10, true)).toEqual(want.filter((t) => t < 9));
  });

  it("agrees with Hugging Face's definition on random histories (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        (h, n) => {
          expect(bannedBy(h, n, 7)).toEqual(bannedRef(h, n)); // token 6 never occurs: one stays free
        },
      ),
      { seed: 9, numRuns: 300 },
    );
  });

  it("the full sampler never draws a banned token and keeps the others' proportions (χ² at a fixed seed)", () => {
    // n = 2, history 1 2 1 3 0 4 1: after 1 came 2 and 3, so both are banned; the rest renormalize:
    // [0.1, 0.15, 0.15, 0.1] / 0.5 (by hand)
    const hist = [1, 2, 1, 3, 0, 4, 1];
    expect(bannedRef(hist, 2)).toEqual([2, 3]);
    const p = [0.1, 0.15, 0.3, 0.2, 0.15, 0.1];
    const want = [0.2, 0.3, 0, 0, 0.3, 0.2];
    const masked = p.map((q, i) => (i === 2 || i === 3 ? NEG : Math.log(q)));
    softmaxRef(masked).forEach((q, i) => {
      expect(q).toBeCloseTo(want[i]!, 12);
    });
    const counts = samplerCounts({ noRepeatNgramSize: 2, seed: 12 }, hist, p.map(Math.log), 20_000);
    expect(counts[2]).toBe(0);
    expect(counts[3]).toBe(0);
    const { stat, df } = chiSquare(counts, want);
    expect(df).toBe(3);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("state survives clone, saveState/loadState and JSON; reset forgets", () => {
    const a = noRepeatNgram(2);
    for (const t of [3, 4, 3]) a.accept!(t);
    const b = a.clone();
    const c = noRepeatNgram(2);
    c.loadState!(JSON.parse(JSON.stringify(a.saveState!())));
    for (const s of [a, b, c]) s.accept!(9);
    for (const s of [a, b, c]) s.accept!(3);
    const banned = (s: typeof a) => {
      const r = run(new Array(10).fill(0));
      s.apply(r.c, createSamplingContext(10));
      return Array.from(r.c.logits.subarray(0, 10)).flatMap((v, i) => (v === NEG ? [i] : []));
    };
    expect(banned(a)).toEqual([4, 9]);
    expect(banned(b)).toEqual([4, 9]);
    expect(banned(c)).toEqual([4, 9]);
    a.reset!();
    expect(banned(a)).toEqual([]);
  });

  it("throws EmptyCandidatesError naming the stage when it bans the last token", () => {
    const s = noRepeatNgram(1);
    s.accept!(0);
    const r = run([0, NEG]);
    expect(() => s.apply(r.c, createSamplingContext(2, { row: 4 }))).toThrow(/row 4.*no_repeat_ngram/);
  });
});
