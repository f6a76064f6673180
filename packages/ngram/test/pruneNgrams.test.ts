import { InvalidParamsError } from "@logitstream/core";
import { describe, expect, it } from "vitest";
import { countNgrams } from "../src/countNgrams.js";
import { pruneNgrams } from "../src/pruneNgrams.js";
import { TINY, TINY_V, trieEntries } from "./tinyCorpus.js";

describe("pruneNgrams", () => {
  const counts = countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0 });

  it("keeps the trigrams seen at least minCount times and records each context's pruned raw counts", () => {
    const p = pruneNgrams(counts, 2);
    const trigrams = [...trieEntries(p)].filter(([k]) => k.split(",").length === 3);
    expect(trigrams).toEqual([
      ["1,2,1", 2],
      ["2,1,2", 2],
    ]);
    // Bigram nodes in trie order 01, 12, 13, 21, 23, 30 lose 012+013, 123, 130, –, 230, 301.
    expect(Array.from(p.prunedMass ?? [])).toEqual([2, 1, 1, 0, 1, 1]);
    expect(p.minCount).toBe(2);
  });

  it("leaves the lower orders and the discounts estimated before pruning untouched", () => {
    const p = pruneNgrams(counts, 2);
    const lower = (m: Map<string, number>) => [...m].filter(([k]) => k.split(",").length < 3);
    expect(lower(trieEntries(p))).toEqual(lower(trieEntries(counts)));
    expect(Array.from(p.discounts)).toEqual(Array.from(counts.discounts));
  });

  it("returns the counts unchanged for minCount 1 and rejects pruning twice or a minCount below 1", () => {
    expect(pruneNgrams(counts, 1)).toBe(counts);
    expect(() => pruneNgrams(pruneNgrams(counts, 2), 3)).toThrow(InvalidParamsError);
    expect(() => pruneNgrams(counts, 0)).toThrow(InvalidParamsError);
  });
});
