// Shared fixture of the hand-checked tests: a 12-token stream over V = 5 and the trie read back as a map.
import type { NgramCounts } from "../src/NgramCounts.js";

/** Token ids: 0 = eos, 1 = a, 2 = b, 3 = c, 4 = d (never seen). Text: eos a b a b a b c eos a c eos. */
export const TINY = [0, 1, 2, 1, 2, 1, 2, 3, 0, 1, 3, 0];
export const TINY_V = 5;
/** Fixed modified-KN discounts [D₁, D₂, D₃₊] per order (unigram, bigram, trigram). */
export const TINY_DISCOUNTS = [0.5, 1.0, 1.5, 0.25, 0.5, 0.75, 0.5, 1.0, 1.5];

/** Every stored n-gram of a trie as "w1,w2,…" → count (level 0: only tokens with a count > 0). */
export function trieEntries(c: NgramCounts): Map<string, number> {
  const out = new Map<string, number>();
  let keys: string[] = [];
  const c0 = c.counts[0] as Uint32Array;
  for (let t = 0; t < c.vocabSize; t++) {
    keys.push(String(t));
    if ((c0[t] as number) > 0) out.set(String(t), c0[t] as number);
  }
  for (let L = 1; L < c.order; L++) {
    const st = c.starts[L - 1] as Uint32Array;
    const next: string[] = [];
    for (let j = 0; j < keys.length; j++) {
      for (let i = st[j] as number; i < (st[j + 1] as number); i++) {
        const key = `${keys[j]},${(c.words[L] as Int32Array)[i]}`;
        next.push(key);
        out.set(key, (c.counts[L] as Uint32Array)[i] as number);
      }
    }
    keys = next;
  }
  return out;
}
