import { AbortedError, LogitstreamError } from "@logitstream/core";
import { describe, expect, it } from "vitest";
import * as ngramBrowser from "../src/browser.js";
import { countNgrams } from "../src/countNgrams.js";
import { TokenIdError } from "../src/errors.js";
import * as ngram from "../src/index.js";
import { NgramModel } from "../src/NgramModel.js";
import { pruneNgrams } from "../src/pruneNgrams.js";
import { trainModel } from "../src/trainModel.js";
import { TINY, TINY_DISCOUNTS, TINY_V } from "./tinyCorpus.js";

// Hand computation for the tiny corpus (counts in countNgrams.test.ts), discounts
// unigram [0.5, 1, 1.5], bigram [0.25, 0.5, 0.75], trigram [0.5, 1, 1.5]:
//
// p1: continuation counts [1,2,1,2,0], total 6. Discounted: 0 → 0.5/6, 1 → 1/6, 2 → 0.5/6, 3 → 1/6.
//     Freed mass γ0 = (0.5+1+0.5+1)/6 = 0.5, spread uniformly: 0.5/5 = 0.1 to every token.
//     p1 = [0.183333, 0.266667, 0.183333, 0.266667, 0.1]
// p2(·|a=1): children 12:2, 13:1, total 3. α(2) = (2−0.5)/3 = 0.5, α(3) = (1−0.25)/3 = 0.25,
//     γ = (0.5+0.25)/3 = 0.25 → p2(·|1) = α + 0.25·p1 = [0.0458333, 0.0666667, 0.5458333, 0.3166667, 0.025]
// p2(·|eos=0): child 01:1, total 1. α(1) = 0.75, γ = 0.25 → [0.0458333, 0.8166667, 0.0458333, 0.0666667, 0.025]
// p3(·|eos a): children 012:1, 013:1, total 2. α(2) = α(3) = 0.5/2 = 0.25, γ = 1/2
//     → 0.5·p2(·|1) + α = [0.0229167, 0.0333333, 0.5229167, 0.4083333, 0.0125]
// p3(·|b a): child 212:2, total 2. α(2) = (2−1)/2 = 0.5, γ = 1/2
//     → [0.0229167, 0.0333333, 0.7729167, 0.1583333, 0.0125]
const P1 = [0.1833333, 0.2666667, 0.1833333, 0.2666667, 0.1];
const P2_A = [0.0458333, 0.0666667, 0.5458333, 0.3166667, 0.025];
const P2_EOS = [0.0458333, 0.8166667, 0.0458333, 0.0666667, 0.025];
const P3_EOS_A = [0.0229167, 0.0333333, 0.5229167, 0.4083333, 0.0125];
const P3_B_A = [0.0229167, 0.0333333, 0.7729167, 0.1583333, 0.0125];

function tinyModel(): NgramModel {
  return new NgramModel(
    countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0, discounts: TINY_DISCOUNTS }),
  );
}

function probs(row: Float32Array): number[] {
  return Array.from(row, (x) => Math.exp(x));
}

function expectClose(actual: number[], expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

/** log Σ exp(row), accumulated in float64. */
function logSumExp(row: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of row) if (x > max) max = x;
  let s = 0;
  for (const x of row) s += Math.exp(x - max);
  return max + Math.log(s);
}

describe("NgramModel (interpolated modified Kneser-Ney)", () => {
  it("gives the hand-computed trigram distribution after a seen trigram context", () => {
    const m = tinyModel();
    expectClose(probs(m.next([2, 1])), P3_B_A);
    expectClose(probs(m.next([3, 3, 0, 1])), P3_EOS_A); // only the last two tokens count
  });

  it("backs off to the bigram distribution when the two-token context was never seen", () => {
    expectClose(probs(tinyModel().next([3, 1])), P2_A);
  });

  it("treats a context shorter than N − 1 as following the boundary token", () => {
    const m = tinyModel();
    expectClose(probs(m.next([1])), P3_EOS_A); // [a] is read as [eos a]
    expectClose(probs(m.next([])), P2_EOS); // [] is read as [eos]
  });

  it("falls back to the smoothed unigram after a token never seen in training, still giving it mass", () => {
    const row = tinyModel().next([4]);
    expectClose(probs(row), P1);
    expect(Math.exp(row[4] as number)).toBeCloseTo(0.1, 6);
  });

  it("agrees with logProb on every token", () => {
    const m = tinyModel();
    for (const ctx of [[], [1], [2, 1], [3, 1], [4], [1, 2]]) {
      const row = Float32Array.from(m.next(ctx));
      for (let w = 0; w < TINY_V; w++) expect(row[w]).toBeCloseTo(m.logProb(ctx, w), 6);
    }
  });

  it("moves the mass of pruned trigrams into the backoff weight and stays normalized", () => {
    // minCount 2 keeps 121 and 212. Context (1,2): 123 pruned, total stays 3 (pruned mass 1):
    // α(1) = (2−1)/3, γ = (1 + 1)/3; p2(·|2) from children 21:1, 23:1 (total 2, α = 0.375 each,
    // γ = 0.25) = [0.0458333, 0.4416667, 0.0458333, 0.4416667, 0.025];
    // p3(·|1,2) = α + (2/3)·p2(·|2) = [0.0305556, 0.6277778, 0.0305556, 0.2944444, 0.0166667].
    // Context (eos a): both children pruned, γ = (0 + 2)/2 = 1 → exactly p2(·|a).
    const counts = countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0, discounts: TINY_DISCOUNTS });
    const m = new NgramModel(pruneNgrams(counts, 2));
    expectClose(probs(m.next([1, 2])), [0.0305556, 0.6277778, 0.0305556, 0.2944444, 0.0166667]);
    expectClose(probs(m.next([0, 1])), P2_A);
    expectClose(probs(m.next([2, 1])), P3_B_A);
  });

  it("writes rows normalized to log-sum-exp 0 with no -Infinity on random contexts of a random corpus", () => {
    // A 20,000-token stream over V = 3000 with a skewed (Zipf-like) draw, from a fixed LCG.
    let state = 12345;
    const rand = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const V = 3000;
    const stream = Array.from({ length: 20000 }, () => Math.floor(V * rand() ** 3));
    for (const order of [1, 2, 3, 4]) {
      const m = trainModel(stream, { order, vocabSize: V, eosId: 0, minCount: order > 2 ? 2 : 1 });
      for (let k = 0; k < 50; k++) {
        const ctx =
          k % 2 === 0 ? stream.slice(k * 97, k * 97 + 5) : [Math.floor(V * rand()), Math.floor(V * rand())];
        const row = m.next(ctx);
        expect(Math.abs(logSumExp(row))).toBeLessThan(1e-6);
        let nonFinite = 0;
        for (const x of row) if (!Number.isFinite(x)) nonFinite++;
        expect(nonFinite).toBe(0);
      }
    }
  });

  it("reuses one output row across next calls and writes a batch row with nextInto", () => {
    const m = tinyModel();
    const a = m.next([2, 1]);
    const b = m.next([1]);
    expect(a).toBe(b);
    const batch = new Float32Array(3 * TINY_V).fill(7);
    m.nextInto([2, 1], batch, TINY_V);
    expect(Array.from(batch.subarray(0, TINY_V))).toEqual([7, 7, 7, 7, 7]);
    expectClose(probs(batch.subarray(TINY_V, 2 * TINY_V)), P3_B_A);
    expect(Array.from(batch.subarray(2 * TINY_V))).toEqual([7, 7, 7, 7, 7]);
  });

  it("throws a TokenIdError for a context token outside the vocabulary", () => {
    expect(() => tinyModel().next([1, 5])).toThrow(TokenIdError);
    expect(() => tinyModel().next([0.5])).toThrow(TokenIdError);
  });

  it("throws AbortedError carrying the reason when the signal is already aborted", () => {
    const ac = new AbortController();
    ac.abort("stop");
    let caught: unknown;
    try {
      tinyModel().next([1], ac.signal);
    } catch (error) {
      caught = error;
    }
    // Core's class, re-exported by both entry points: one `instanceof` check for every package.
    expect(ngram.AbortedError).toBe(AbortedError);
    expect(ngramBrowser.AbortedError).toBe(AbortedError);
    expect(caught).toBeInstanceOf(AbortedError);
    expect(caught).toBeInstanceOf(LogitstreamError);
    expect((caught as AbortedError).code).toBe("E_ABORTED");
    expect((caught as AbortedError).cause).toBe("stop");
  });
});
