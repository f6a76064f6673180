import type { AbortSignalLike, LogitSource } from "@logitstream/core";
import { AbortedError, InvalidParamsError } from "@logitstream/core";
import { TokenIdError } from "./errors.js";
import type { NgramCounts } from "./NgramCounts.js";

/**
 * An interpolated, modified Kneser-Ney n-gram language model as a core `LogitSource`: `next(context)`
 * returns the normalized log-probabilities of every token of the vocabulary.
 *
 * Use it as the embedded default model (`loadModel()` gives the one trained on the Brown corpus over
 * cl100k_base), or build one from any token stream with `trainModel`. Rows are log-probabilities, so
 * their log-sum-exp is 0 (within float32 rounding) and every token, seen or not, has a finite value.
 *
 * Method: with hₖ the last k tokens of the context (the context is preceded by the boundary token
 * `eosId` when it is shorter than N − 1), the probability interpolates every order:
 *   p₁(w)    = max(N₁₊(•w) − D, 0) / N₁₊(••) + γ₀ / V
 *   pₖ₊₁(w|hₖ) = max(c(hₖw) − D(c), 0) / c(hₖ•) + γ(hₖ) pₖ(w|hₖ₋₁)
 * where c is the raw count at the highest order and the continuation count N₁₊(• hₖw) below it,
 * D(c) ∈ {D₁, D₂, D₃₊} are the per-order discounts and γ(h) = (Σ_w D(c(hw)) + pruned mass) / c(h•)
 * is exactly the mass the discounts free, so each level is normalized. A context never seen gets
 * γ = 1 (it defers to the lower order). A step is computed as: every token gets
 * log(Π γ) + log p₁(w) in one pass over a precomputed float32 vector, then only the tokens seen after
 * the last context token (a superset of those seen after longer contexts: a sorted merge of the trie's
 * child lists) are recomputed exactly in float64. Nothing is allocated per step; `next` reuses one
 * output row, `nextInto` writes into a row of your batch.
 *
 * References: Kneser & Ney 1995, "Improved backing-off for M-gram language modeling" (ICASSP);
 * Chen & Goodman 1998, "An Empirical Study of Smoothing Techniques for Language Modeling",
 * TR-10-98 (interpolated and modified Kneser-Ney, eqs. 17 and 26).
 *
 * @example
 * const model = loadModel();
 * const row = model.next(tokenizer.encode("The jury said")); // Float32Array(100277) of log-probs
 */
export class NgramModel implements LogitSource {
  readonly vocabSize: number;
  /** The boundary token: end of a paragraph in training, start-of-text padding for short contexts. */
  readonly eosId: number;
  /** n-gram order N. */
  readonly order: number;
  /** The integer statistics this model was built from (what a model file stores). */
  readonly counts: NgramCounts;
  readonly #p1: Float64Array;
  readonly #logP1: Float32Array;
  /**
   * #gamma[L][j]: backoff weight of level-L node j for its children (L ≤ N − 2), and #total[L][j] its
   * denominator c(h•). Computed the first time the node is used as a context, so loading does not touch
   * the ~500k nodes a session never visits: both stay 0 until then (a prepared node never has both 0:
   * c(h•) = 0 gives γ = 1), so the arrays are allocated zeroed rather than filled with a marker, and
   * their pages are not even written at load. An entry's discounted probability
   * (c − D(c)) / c(h•) is computed where it is used.
   */
  readonly #gamma: Float64Array[];
  readonly #total: Float64Array[];
  readonly #levelCounts: readonly Uint32Array[];
  readonly #prunedMass: Uint32Array | null;
  readonly #discounts: Float64Array;
  readonly #words: readonly Int32Array[];
  readonly #starts: readonly Uint32Array[];
  readonly #nodes: Int32Array;
  readonly #ptr: Int32Array;
  readonly #end: Int32Array;
  #row: Float32Array | null = null;

  /** Derives the probabilities from a count trie (see `countNgrams`, `pruneNgrams`, `decodeModelFile`). */
  constructor(counts: NgramCounts) {
    const N = counts.order;
    const V = counts.vocabSize;
    if (
      counts.counts.length !== N ||
      counts.words.length !== N ||
      counts.starts.length !== N - 1 ||
      counts.discounts.length !== 3 * N
    ) {
      throw new InvalidParamsError("counts", `levels do not match order ${N}`);
    }
    if ((counts.counts[0] as Uint32Array).length !== V)
      throw new InvalidParamsError("counts", "level 0 must have one count per token");
    this.vocabSize = V;
    this.eosId = counts.eosId;
    this.order = N;
    this.counts = counts;
    this.#words = counts.words;
    this.#starts = counts.starts;
    const D = counts.discounts;

    // Lowest order: discounted counts interpolated with the uniform distribution.
    const c0 = counts.counts[0] as Uint32Array;
    const p1 = new Float64Array(V);
    let total = 0;
    let freed = 0;
    for (let w = 0; w < V; w++) {
      const c = c0[w] as number;
      total += c;
      if (c > 0) freed += discount(D, 0, c);
    }
    const uniform = total > 0 ? freed / total / V : 1 / V;
    const logP1 = new Float32Array(V);
    for (let w = 0; w < V; w++) {
      const c = c0[w] as number;
      const p = (c > 0 ? (c - discount(D, 0, c)) / total : 0) + uniform;
      p1[w] = p;
      logP1[w] = Math.log(p);
    }
    this.#p1 = p1;
    this.#logP1 = logP1;

    // Higher orders: per-node statistics, filled lazily (see #prepare).
    this.#gamma = [];
    this.#total = [];
    for (let L = 1; L < N; L++) {
      const cl = counts.counts[L] as Uint32Array;
      const st = counts.starts[L - 1] as Uint32Array;
      const nodes = st.length - 1;
      if ((st[nodes] as number) !== cl.length || (counts.words[L] as Int32Array).length !== cl.length) {
        throw new InvalidParamsError("counts", `level ${L} children do not match their parents`);
      }
      this.#gamma.push(new Float64Array(nodes));
      this.#total.push(new Float64Array(nodes));
    }
    this.#levelCounts = counts.counts;
    this.#prunedMass = counts.prunedMass;
    this.#discounts = D;
    this.#nodes = new Int32Array(Math.max(1, N - 1));
    this.#ptr = new Int32Array(Math.max(1, N - 1));
    this.#end = new Int32Array(Math.max(1, N - 1));
  }

  /**
   * Log-probabilities of the next token after `context`, as a reused row of length `vocabSize`
   * (the next call overwrites it: consume or copy it first).
   * @param context token ids so far (only the last N − 1 are used; none means start of text)
   * @param signal an already aborted signal makes the call throw `AbortedError`
   */
  next(context: ArrayLike<number>, signal?: AbortSignalLike): Float32Array {
    if (signal?.aborted) throw new AbortedError(signal.reason, "n-gram step aborted by its AbortSignal");
    if (this.#row === null) this.#row = new Float32Array(this.vocabSize);
    this.nextInto(context, this.#row, 0);
    return this.#row;
  }

  /**
   * Writes the log-probabilities after `context` into `out[offset … offset + vocabSize)`, e.g. row i
   * of a `rows × vocabSize` batch at `offset = i * vocabSize`. Allocates nothing.
   */
  nextInto(context: ArrayLike<number>, out: Float32Array, offset = 0): void {
    const V = this.vocabSize;
    if (!Number.isInteger(offset) || offset < 0 || offset + V > out.length) {
      throw new InvalidParamsError(
        "offset",
        `row [${offset}, ${offset + V}) does not fit in an output of length ${out.length}`,
      );
    }
    const found = this.#findContexts(context);
    const nodes = this.#nodes;
    const gamma = this.#gamma;
    const total = this.#total;
    let scale = 1;
    for (let m = 0; m < found; m++) {
      this.#prepare(m, nodes[m] as number);
      scale *= (gamma[m] as Float64Array)[nodes[m] as number] as number;
    }
    // Tokens never seen after the context: (Π γ) · p₁(w), in log space, one pass.
    const logScale = Math.log(scale);
    const logP1 = this.#logP1;
    for (let w = 0; w < V; w++) out[offset + w] = logScale + (logP1[w] as number);
    if (found === 0) return;

    // Tokens seen after the last context token: the exact interpolation, merged across orders (float64).
    const ptr = this.#ptr;
    const end = this.#end;
    for (let m = 1; m < found; m++) {
      const st = this.#starts[m] as Uint32Array;
      const node = nodes[m] as number;
      ptr[m] = st[node] as number;
      end[m] = st[node + 1] as number;
    }
    const D = this.#discounts;
    const p1 = this.#p1;
    const n0 = nodes[0] as number;
    const st0 = this.#starts[0] as Uint32Array;
    const lo = st0[n0] as number;
    const hi = st0[n0 + 1] as number;
    const w1 = this.#words[1] as Int32Array;
    const c1 = this.#levelCounts[1] as Uint32Array;
    const g0 = (gamma[0] as Float64Array)[n0] as number;
    const t0 = (total[0] as Float64Array)[n0] as number;
    const d1 = D[3] as number;
    const d2 = D[4] as number;
    const d3 = D[5] as number;
    for (let i = lo; i < hi; i++) {
      const w = w1[i] as number;
      const c = c1[i] as number;
      let p = g0 * (p1[w] as number);
      if (c > 0) p += (c - (c >= 3 ? d3 : c === 2 ? d2 : d1)) / t0;
      for (let m = 1; m < found; m++) {
        const wl = this.#words[m + 1] as Int32Array;
        const e = end[m] as number;
        let q = ptr[m] as number;
        while (q < e && (wl[q] as number) < w) q++;
        ptr[m] = q;
        const node = nodes[m] as number;
        p *= (gamma[m] as Float64Array)[node] as number;
        if (q < e && wl[q] === w) {
          const cq = (this.#levelCounts[m + 1] as Uint32Array)[q] as number;
          if (cq > 0) p += (cq - discount(D, m + 1, cq)) / ((total[m] as Float64Array)[node] as number);
        }
      }
      out[offset + w] = Math.log(p);
    }
  }

  /** log p(token | context), computed alone (float64); equals `next(context)[token]` up to float32 rounding. */
  logProb(context: ArrayLike<number>, token: number): number {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize)
      throw new TokenIdError(context.length, token, this.vocabSize);
    const found = this.#findContexts(context);
    let p = this.#p1[token] as number;
    for (let m = 0; m < found; m++) {
      const node = this.#nodes[m] as number;
      this.#prepare(m, node);
      const st = this.#starts[m] as Uint32Array;
      const i = search(this.#words[m + 1] as Int32Array, st[node] as number, st[node + 1] as number, token);
      p *= (this.#gamma[m] as Float64Array)[node] as number;
      const c = i >= 0 ? ((this.#levelCounts[m + 1] as Uint32Array)[i] as number) : 0;
      if (c > 0)
        p += (c - discount(this.#discounts, m + 1, c)) / ((this.#total[m] as Float64Array)[node] as number);
    }
    return Math.log(p);
  }

  /**
   * Computes, once, the denominator c(h•) and backoff weight γ(h) = (Σ D(c) + pruned mass) / c(h•)
   * of level-L node j from its children's counts (γ = 1 for a node without counted children).
   */
  #prepare(L: number, j: number): void {
    const gamma = this.#gamma[L] as Float64Array;
    const total = this.#total[L] as Float64Array;
    if ((gamma[j] as number) !== 0 || (total[j] as number) !== 0) return;
    const st = this.#starts[L] as Uint32Array;
    const cl = this.#levelCounts[L + 1] as Uint32Array;
    const pruned = L + 1 === this.order - 1 ? this.#prunedMass : null;
    let t = pruned === null ? 0 : (pruned[j] as number);
    let freed = t;
    for (let i = st[j] as number, hi = st[j + 1] as number; i < hi; i++) {
      const c = cl[i] as number;
      t += c;
      if (c > 0) freed += discount(this.#discounts, L + 1, c);
    }
    total[j] = t;
    gamma[j] = t > 0 ? freed / t : 1;
  }

  /**
   * Finds the trie nodes of the context's suffixes of length 1 … N − 1 (stopping at the first one
   * never seen) into #nodes[0 …]; returns how many were found.
   */
  #findContexts(context: ArrayLike<number>): number {
    const N = this.order;
    const V = this.vocabSize;
    const len = context.length;
    for (let i = Math.max(0, len - N + 1); i < len; i++) {
      const t = context[i] as number;
      if (!Number.isInteger(t) || t < 0 || t >= V) throw new TokenIdError(i, t, V);
    }
    // The effective history is [eos, ...context] when the context is shorter than N − 1.
    const padded = len < N - 1;
    const hlen = padded ? len + 1 : len;
    const maxM = Math.min(N - 1, hlen);
    let found = 0;
    for (let m = 1; m <= maxM; m++) {
      let h = hlen - m;
      let node = padded && h === 0 ? this.eosId : (context[padded ? h - 1 : h] as number);
      for (let j = 1; j < m && node >= 0; j++) {
        h++;
        const t = padded && h === 0 ? this.eosId : (context[padded ? h - 1 : h] as number);
        const st = this.#starts[j - 1] as Uint32Array;
        node = search(this.#words[j] as Int32Array, st[node] as number, st[node + 1] as number, t);
      }
      if (node < 0) break;
      this.#nodes[m - 1] = node;
      found = m;
    }
    return found;
  }
}

/** The discount for an n-gram of level L with count c ≥ 1. */
function discount(D: Float64Array, L: number, c: number): number {
  return D[3 * L + (c >= 3 ? 2 : c - 1)] as number;
}

/** Index of token t in the sorted words[lo … hi), or −1. */
function search(words: Int32Array, lo: number, hi: number, t: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const w = words[mid] as number;
    if (w < t) a = mid + 1;
    else if (w > t) b = mid;
    else return mid;
  }
  return -1;
}
