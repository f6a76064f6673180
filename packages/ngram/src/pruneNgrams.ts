import { InvalidParamsError } from "@logitstream/core";
import type { NgramCounts } from "./NgramCounts.js";

/**
 * Drops highest-order n-grams seen fewer than `minCount` times, to make the model file small.
 *
 * Method (count cutoffs, Chen & Goodman 1998 §5.4; as in KenLM's `--prune`): a pruned n-gram keeps
 * its raw count in its context's denominator (`prunedMass`) but loses its own discounted
 * probability, which moves to the context's backoff weight; so the model stays exactly normalized and
 * the pruned token is predicted from the lower order. Lower orders, their continuation counts and the
 * discounts (estimated before pruning) are unchanged.
 *
 * References: Chen & Goodman 1998, TR-10-98; Heafield et al. 2013.
 *
 * @param counts an unpruned count trie of order ≥ 2
 * @param minCount keep highest-order n-grams with raw count ≥ minCount (1 keeps everything)
 */
export function pruneNgrams(counts: NgramCounts, minCount: number): NgramCounts {
  if (!Number.isInteger(minCount) || minCount < 1)
    throw new InvalidParamsError("minCount", `must be an integer ≥ 1, got ${minCount}`);
  if (counts.prunedMass !== null)
    throw new InvalidParamsError("counts", "are already pruned; prune the unpruned counts once");
  const N = counts.order;
  if (N < 2 || minCount === 1) return counts;
  const top = N - 1;
  const oldWords = counts.words[top] as Int32Array;
  const oldCounts = counts.counts[top] as Uint32Array;
  const oldStarts = counts.starts[top - 1] as Uint32Array;
  const nodes = oldStarts.length - 1;
  let kept = 0;
  for (let i = 0; i < oldCounts.length; i++) if ((oldCounts[i] as number) >= minCount) kept++;
  const words = new Int32Array(kept);
  const newCounts = new Uint32Array(kept);
  const starts = new Uint32Array(nodes + 1);
  const prunedMass = new Uint32Array(nodes);
  let k = 0;
  for (let j = 0; j < nodes; j++) {
    starts[j] = k;
    for (let i = oldStarts[j] as number; i < (oldStarts[j + 1] as number); i++) {
      const c = oldCounts[i] as number;
      if (c >= minCount) {
        words[k] = oldWords[i] as number;
        newCounts[k] = c;
        k++;
      } else {
        prunedMass[j] = (prunedMass[j] as number) + c;
      }
    }
  }
  starts[nodes] = k;
  return {
    ...counts,
    words: [...counts.words.slice(0, top), words],
    counts: [...counts.counts.slice(0, top), newCounts],
    starts: [...counts.starts.slice(0, top - 1), starts],
    prunedMass,
    minCount,
  };
}
