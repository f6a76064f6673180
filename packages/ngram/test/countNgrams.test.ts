import { InvalidParamsError } from "@logitstream/core";
import { describe, expect, it } from "vitest";
import { countNgrams } from "../src/countNgrams.js";
import { TokenIdError } from "../src/errors.js";
import { TINY, TINY_V, trieEntries } from "./tinyCorpus.js";

describe("countNgrams", () => {
  // Stream: eos a b a b a b c eos a c eos = 0 1 2 1 2 1 2 3 0 1 3 0.
  // Trigram windows (i = 0…9): 012 121 212 121 212 123 230 301 013 130.
  // Raw trigram counts: 012:1 121:2 212:2 123:1 230:1 301:1 013:1 130:1.
  // Bigram continuation counts N1+(• v w) = distinct trigram entries ending in v w:
  //   12 ← {012, 212} = 2; 21 ← {121} = 1; 23 ← {123} = 1; 30 ← {230, 130} = 2; 01 ← {301} = 1; 13 ← {013} = 1.
  // Unigram continuation counts N1+(• w) = distinct bigram entries ending in w:
  //   0 ← {30} = 1; 1 ← {01, 21} = 2; 2 ← {12} = 1; 3 ← {13, 23} = 2; 4: 0.
  it("keeps raw counts at the highest order and continuation counts below it, as worked out by hand", () => {
    const c = countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0 });
    const expected = new Map([
      ["0", 1],
      ["1", 2],
      ["2", 1],
      ["3", 2],
      ["0,1", 1],
      ["1,2", 2],
      ["1,3", 1],
      ["2,1", 1],
      ["2,3", 1],
      ["3,0", 2],
      ["0,1,2", 1],
      ["0,1,3", 1],
      ["1,2,1", 2],
      ["1,2,3", 1],
      ["1,3,0", 1],
      ["2,1,2", 2],
      ["2,3,0", 1],
      ["3,0,1", 1],
    ]);
    expect(trieEntries(c)).toEqual(expected);
    expect(Array.from(c.counts[0] as Uint32Array)).toEqual([1, 2, 1, 2, 0]);
  });

  it("estimates the discounts from count-of-counts, falling back to Y = n1/(n1+2n2) when n3 or n4 is zero", () => {
    const c = countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0 });
    // Unigrams [1,2,1,2]: n1 = 2, n2 = 2 → Y = 2/6. Bigrams [1,2,1,1,1,2]: n1 = 4, n2 = 2 → Y = 1/2.
    // Trigrams: six 1s and two 2s → Y = 6/10.
    const third = 1 / 3;
    expect(Array.from(c.discounts)).toEqual([third, third, third, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6]);
  });

  it("counts raw unigrams (including the boundary token) when the order is 1", () => {
    const c = countNgrams(TINY, { order: 1, vocabSize: TINY_V, eosId: 0 });
    expect(Array.from(c.counts[0] as Uint32Array)).toEqual([3, 4, 3, 2, 0]);
    expect(c.starts).toEqual([]);
  });

  it("keeps a prefix that has no left extension as a zero-count entry so the trie stays closed under prefixes", () => {
    // Only at the very start of the stream: 7 8 9 → the bigram 7 8 has nothing before it.
    const c = countNgrams([7, 8, 9], { order: 3, vocabSize: 10, eosId: 0 });
    expect(trieEntries(c)).toEqual(
      new Map([
        ["8", 1],
        ["9", 1],
        ["7,8", 0],
        ["8,9", 1],
        ["7,8,9", 1],
      ]),
    );
  });

  it("rejects a token outside the vocabulary, naming its position", () => {
    expect(() => countNgrams([0, 1, 5], { order: 2, vocabSize: 5, eosId: 0 })).toThrow(TokenIdError);
    expect(() => countNgrams([0, 1, 5], { order: 2, vocabSize: 5, eosId: 0 })).toThrow(/position 2/);
  });

  it("rejects an order below 1 and discounts outside (0, r]", () => {
    expect(() => countNgrams(TINY, { order: 0, vocabSize: TINY_V, eosId: 0 })).toThrow(InvalidParamsError);
    expect(() =>
      countNgrams(TINY, { order: 1, vocabSize: TINY_V, eosId: 0, discounts: [1.5, 1, 1] }),
    ).toThrow(InvalidParamsError);
  });
});
