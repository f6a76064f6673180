import { InvalidParamsError } from "@logitstream/core";
import { TokenIdError } from "./errors.js";
import { kneserNeyDiscounts } from "./kneserNeyDiscounts.js";
import type { NgramCounts } from "./NgramCounts.js";

/** What `countNgrams` needs besides the token stream. */
export interface CountOptions {
  /** n-gram order N ≥ 1 (3 or more for the embedded model). */
  readonly order: number;
  readonly vocabSize: number;
  /** Boundary / end-of-sequence token id. */
  readonly eosId: number;
  /** Fixed discounts, 3 per level ([D₁, D₂, D₃₊] for order 1, then order 2, …); estimated from the counts when absent. */
  readonly discounts?: ArrayLike<number>;
}

/** A sorted list of distinct n-grams of one order, flattened, with a count each. */
interface GramList {
  readonly n: number;
  readonly grams: Int32Array;
  readonly counts: Uint32Array;
}

/**
 * Counts the n-grams of a token stream into the Kneser-Ney count trie (`NgramCounts`).
 *
 * The stream is one sequence with the boundary token between units of text, e.g.
 * `[eos, …paragraph 1…, eos, …paragraph 2…, eos]`. Every window of N tokens is one event of the
 * highest order (the first N − 2 tokens, which have a shorter history, are not predicted).
 *
 * Method: the highest order keeps raw counts c(w₁…wₙ). Each lower order k keeps the continuation
 * count N₁₊(• w₁…wₖ) = |{x : x w₁…wₖ is a distinct (k+1)-gram}|, the statistic of Kneser & Ney
 * (1995) that makes the lower-order distribution predict how many contexts a token appears in rather
 * than how often; prefixes of longer n-grams that have no left extension are kept with count 0 so the
 * trie is closed under prefixes. Distinct n-grams are found by sorting window start positions
 * lexicographically (no hashing, so any order and any V fit), which also gives the trie order.
 * Discounts: modified Kneser-Ney [D₁, D₂, D₃₊] per order from its count-of-counts
 * (`kneserNeyDiscounts`), unless given.
 *
 * References: Kneser & Ney 1995; Chen & Goodman 1998, TR-10-98 §3 (interpolated and modified KN);
 * Heafield et al. 2013 (KenLM's adjusted counts).
 *
 * @param stream token ids in `[0, vocabSize)`
 */
export function countNgrams(stream: ArrayLike<number>, options: CountOptions): NgramCounts {
  const { order: N, vocabSize: V, eosId } = options;
  if (!Number.isInteger(N) || N < 1 || N > 16)
    throw new InvalidParamsError("order", `must be an integer in [1, 16], got ${N}`);
  if (!Number.isInteger(V) || V < 1)
    throw new InvalidParamsError("vocabSize", `must be a positive integer, got ${V}`);
  if (!Number.isInteger(eosId) || eosId < 0 || eosId >= V)
    throw new InvalidParamsError("eosId", `must be a token id in [0, ${V}), got ${eosId}`);
  const s = new Int32Array(stream.length);
  for (let i = 0; i < s.length; i++) {
    const t = stream[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= V) throw new TokenIdError(i, t, V);
    s[i] = t;
  }

  // Levels from the top down: lists[L] holds the distinct n-grams of order L + 1.
  const lists: GramList[] = new Array(N);
  lists[N - 1] = countWindows(s, N);
  for (let L = N - 2; L >= 0; L--) lists[L] = lowerOrder(lists[L + 1] as GramList);

  const counts: Uint32Array[] = [];
  const words: Int32Array[] = [];
  const starts: Uint32Array[] = [];
  const dense = new Uint32Array(V);
  const l0 = lists[0] as GramList;
  for (let i = 0; i < l0.counts.length; i++) dense[l0.grams[i] as number] = l0.counts[i] as number;
  counts.push(dense);
  words.push(new Int32Array(0));
  for (let L = 1; L < N; L++) {
    const list = lists[L] as GramList;
    const m = list.counts.length;
    const w = new Int32Array(m);
    for (let i = 0; i < m; i++) w[i] = list.grams[i * list.n + list.n - 1] as number;
    words.push(w);
    counts.push(list.counts);
    starts.push(childStarts(lists[L - 1] as GramList, list, L === 1 ? V : -1));
  }

  const discounts = new Float64Array(3 * N);
  for (let L = 0; L < N; L++) {
    if (options.discounts !== undefined) {
      if (options.discounts.length !== 3 * N)
        throw new InvalidParamsError(
          "discounts",
          `needs 3 per order (${3 * N}), got ${options.discounts.length}`,
        );
      for (let j = 0; j < 3; j++) {
        const d = options.discounts[3 * L + j] as number;
        if (!(d > 0 && d <= j + 1))
          throw new InvalidParamsError(
            "discounts",
            `D${j + 1} of order ${L + 1} must be in (0, ${j + 1}], got ${d}`,
          );
        discounts[3 * L + j] = d;
      }
    } else {
      discounts.set(kneserNeyDiscounts(counts[L] as Uint32Array), 3 * L);
    }
  }
  return { order: N, vocabSize: V, eosId, discounts, counts, words, starts, prunedMass: null, minCount: 1 };
}

/** Lexicographic comparison of the n-token grams starting at a and b in g. */
function compareAt(g: Int32Array, a: number, b: number, n: number): number {
  for (let j = 0; j < n; j++) {
    const d = (g[a + j] as number) - (g[b + j] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Distinct windows of n tokens of s with their raw counts, sorted. */
function countWindows(s: Int32Array, n: number): GramList {
  const m = Math.max(0, s.length - n + 1);
  const pos = new Int32Array(m);
  for (let i = 0; i < m; i++) pos[i] = i;
  pos.sort((a, b) => compareAt(s, a, b, n) || a - b);
  return group(s, pos, n, 1);
}

/**
 * Collapses sorted positions (each the start of an n-gram in `src`) into distinct n-grams, each
 * counting `weight` per occurrence.
 */
function group(src: Int32Array, pos: Int32Array, n: number, weight: number): GramList {
  const m = pos.length;
  let distinct = 0;
  for (let i = 0; i < m; i++)
    if (i === 0 || compareAt(src, pos[i - 1] as number, pos[i] as number, n) !== 0) distinct++;
  const grams = new Int32Array(distinct * n);
  const counts = new Uint32Array(distinct);
  let k = -1;
  for (let i = 0; i < m; i++) {
    const p = pos[i] as number;
    if (i === 0 || compareAt(src, pos[i - 1] as number, p, n) !== 0) {
      k++;
      for (let j = 0; j < n; j++) grams[k * n + j] = src[p + j] as number;
    }
    counts[k] = (counts[k] as number) + weight;
  }
  return { n, grams, counts };
}

/** Order k lists from order k + 1: continuation counts of suffixes, plus prefixes with count 0 when absent. */
function lowerOrder(upper: GramList): GramList {
  const n = upper.n - 1;
  const m = upper.counts.length;
  const g = upper.grams;
  // Suffixes: start of each entry + 1; one distinct left extension per entry.
  const pos = new Int32Array(m);
  for (let i = 0; i < m; i++) pos[i] = i * upper.n + 1;
  pos.sort((a, b) => compareAt(g, a, b, n) || a - b);
  const suffixes = group(g, pos, n, 1);
  // Prefixes: already sorted (upper is sorted); collapse with weight 0.
  for (let i = 0; i < m; i++) pos[i] = i * upper.n;
  const prefixes = group(g, pos, n, 0);
  // Merge the two sorted lists.
  const a = suffixes;
  const b = prefixes;
  const na = a.counts.length;
  const nb = b.counts.length;
  const grams = new Int32Array((na + nb) * n);
  const counts = new Uint32Array(na + nb);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < na || j < nb) {
    const c = i >= na ? 1 : j >= nb ? -1 : compareGrams(a.grams, i * n, b.grams, j * n, n);
    if (c <= 0) {
      grams.set(a.grams.subarray(i * n, i * n + n), k * n);
      counts[k] = a.counts[i] as number;
      i++;
      if (c === 0) j++;
    } else {
      grams.set(b.grams.subarray(j * n, j * n + n), k * n);
      counts[k] = 0;
      j++;
    }
    k++;
  }
  return { n, grams: grams.slice(0, k * n), counts: counts.slice(0, k) };
}

function compareGrams(x: Int32Array, xo: number, y: Int32Array, yo: number, n: number): number {
  for (let j = 0; j < n; j++) {
    const d = (x[xo + j] as number) - (y[yo + j] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * For each node of `parent` (order k), the index of its first child in `child` (order k + 1); both are
 * sorted and every child's prefix is a parent. `dense` > 0: the parent level is dense over that many ids.
 */
function childStarts(parent: GramList, child: GramList, dense: number): Uint32Array {
  const m = child.counts.length;
  const cn = child.n;
  if (dense > 0) {
    const starts = new Uint32Array(dense + 1);
    for (let i = 0; i < m; i++) starts[(child.grams[i * cn] as number) + 1]++;
    for (let t = 0; t < dense; t++) starts[t + 1] = (starts[t + 1] as number) + (starts[t] as number);
    return starts;
  }
  const pm = parent.counts.length;
  const pn = parent.n;
  const starts = new Uint32Array(pm + 1);
  let p = 0;
  for (let j = 0; j < pm; j++) {
    starts[j] = p;
    while (p < m && compareGrams(child.grams, p * cn, parent.grams, j * pn, pn) === 0) p++;
  }
  starts[pm] = p;
  return starts;
}
