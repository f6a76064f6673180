import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tokenizer } from "../../src/index.js";
import { createSamplingContext, InvalidParamsError } from "../../src/index.js";
import { BanAutomaton } from "../../src/samplers/banAutomaton.js";
import { bannedSequences } from "../../src/samplers/bannedSequences.js";
import { CHI2_001, chiSquare, samplerCounts } from "./chiSquare.js";
import { NEG, run, softmaxRef } from "./stageHelpers.js";

/** Hugging Face's NoBadWordsLogitsProcessor, directly: each sequence whose prefix ends the history bans its last token. */
function bannedRef(h: number[], bans: number[][]): number[] {
  const out = new Set<number>();
  for (const b of bans) {
    if (b.length === 0) continue;
    const pre = b.slice(0, -1);
    if (pre.length <= h.length && pre.every((t, k) => t === h[h.length - pre.length + k]))
      out.add(b[b.length - 1]!);
  }
  return [...out].sort((a, b) => a - b);
}

function bannedNow(stage: ReturnType<typeof bannedSequences>, v: number): number[] {
  const r = run(new Array(v).fill(0));
  stage.apply(r.c, createSamplingContext(v));
  return Array.from(r.c.logits.subarray(0, v)).flatMap((x, i) => (x === NEG ? [i] : []));
}

describe("bannedSequences", () => {
  it.each([
    { bans: [[4, 5], [9]], h: [4], want: [5, 9], note: "the prefix [4] was generated; [9] is always banned" },
    { bans: [[4, 5], [9]], h: [4, 1], want: [9], note: "the prefix no longer ends the history" },
    { bans: [[1, 2, 3]], h: [7, 1, 2], want: [3], note: "a three-token sequence" },
    {
      bans: [
        [1, 2, 3],
        [2, 6],
      ],
      h: [1, 2],
      want: [3, 6],
      note: "two sequences match at once (failure link)",
    },
    { bans: [[1, 1, 2]], h: [1, 1, 1], want: [2], note: "overlapping prefix" },
    { bans: [[]], h: [1], want: [], note: "an empty sequence bans nothing" },
  ])("bans $want after $h ($note)", ({ bans, h, want }) => {
    const s = bannedSequences(bans);
    for (const t of h) s.accept!(t);
    expect(bannedNow(s, 10)).toEqual(want);
  });

  it("agrees with Hugging Face's definition on random ban lists and histories (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }),
        (bans, h) => {
          const s = bannedSequences(bans);
          // check after every prefix of the history: the automaton state is incremental
          // (token 5 is never banned, so a candidate always remains)
          expect(bannedNow(s, 6)).toEqual(bannedRef([], bans));
          for (let i = 0; i < h.length; i++) {
            s.accept!(h[i]!);
            expect(bannedNow(s, 6)).toEqual(bannedRef(h.slice(0, i + 1), bans));
          }
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });

  it("the full sampler never draws a banned token and keeps the others' proportions (χ² at a fixed seed)", () => {
    // after 4 1 2: [1, 2, 3] bans 3, [2, 0] bans 0, [5] is always banned; [4, 2] and [1, 1] do not
    // match the end of the history. The rest renormalize: [0.15, 0.3, 0.15] / 0.6 (by hand)
    const bans = [[1, 2, 3], [2, 0], [5], [4, 2], [1, 1]];
    const hist = [4, 1, 2];
    expect(bannedRef(hist, bans)).toEqual([0, 3, 5]);
    const p = [0.2, 0.15, 0.3, 0.1, 0.15, 0.1];
    const want = [0, 0.25, 0.5, 0, 0.25, 0];
    const masked = p.map((q, i) => ([0, 3, 5].includes(i) ? NEG : Math.log(q)));
    softmaxRef(masked).forEach((q, i) => {
      expect(q).toBeCloseTo(want[i]!, 12);
    });
    const counts = samplerCounts({ bannedSequences: bans, seed: 13 }, hist, p.map(Math.log), 20_000);
    expect([counts[0], counts[3], counts[5]]).toEqual([0, 0, 0]);
    const { stat, df } = chiSquare(counts, want);
    expect(df).toBe(2);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("visits only the bans that can match: the answer for a state does not list unrelated sequences", () => {
    const bans = Array.from({ length: 5000 }, (_, i) => [1000 + i, 2000 + i]);
    const a = new BanAutomaton(bans);
    const out: number[] = [];
    expect(a.banned(a.next(0, 1003), out)).toBe(1);
    expect(out).toEqual([2003]);
    expect(a.banned(a.next(0, 7), out)).toBe(0);
  });

  it("encodes strings with the tokenizer, and rejects strings without one and bad ids", () => {
    const tok: Tokenizer = {
      vocabSize: 10,
      tokenBytes: (id) => Uint8Array.of(97 + id),
      encode: (text) => Array.from(text, (ch) => ch.charCodeAt(0) - 97),
    };
    const s = bannedSequences(["bcd", [0]], { tokenizer: tok });
    s.accept!(1);
    s.accept!(2);
    expect(bannedNow(s, 10)).toEqual([0, 3]);
    expect(() => bannedSequences(["x"])).toThrow(InvalidParamsError);
    expect(() => bannedSequences([[1, -2]])).toThrow(/entry 0 holds -2/);
  });

  it("state survives clone and saveState/loadState (only the last tokens matter)", () => {
    const a = bannedSequences([
      [1, 2, 3],
      [2, 2],
    ]);
    for (const t of [5, 5, 1, 2]) a.accept!(t);
    const b = a.clone();
    const c = bannedSequences([
      [1, 2, 3],
      [2, 2],
    ]);
    c.loadState!(JSON.parse(JSON.stringify(a.saveState!())));
    expect(a.saveState!()).toEqual([5, 1, 2]);
    for (const s of [a, b, c]) expect(bannedNow(s, 5)).toEqual([2, 3]);
  });
});
