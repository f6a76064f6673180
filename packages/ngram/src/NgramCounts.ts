/**
 * The integer statistics an interpolated Kneser-Ney model is built from, laid out as a count trie.
 * This is exactly what a model file stores: probabilities are derived from it, deterministically,
 * when a model is constructed, so save → load reproduces a model bit for bit.
 *
 * Levels are 0-based: level L holds n-grams of order L + 1. Level 0 is dense over the vocabulary
 * (node id = token id); a level L ≥ 1 entry is the child of its prefix (a level L − 1 node) and stores
 * only its last token. Children of one node are contiguous and sorted by token id.
 *
 * Counts follow Kneser-Ney: the highest order keeps raw counts c(w₁…wₙ); every lower order keeps
 * continuation counts N₁₊(• w₁…wₖ), the number of distinct tokens seen before the n-gram. A count
 * of 0 marks an entry that exists only as the prefix of a longer one (it carries no probability).
 */
export interface NgramCounts {
  /** n-gram order N ≥ 1. */
  readonly order: number;
  /** Vocabulary size V. */
  readonly vocabSize: number;
  /** End-of-sequence / boundary token id, also used as start-of-text padding. */
  readonly eosId: number;
  /** Per level L: [D₁, D₂, D₃₊] at indices 3L, 3L + 1, 3L + 2 (modified Kneser-Ney discounts). */
  readonly discounts: Float64Array;
  /** `counts[L][i]`: the (raw or continuation) count of entry i at level L; `counts[0]` has length V. */
  readonly counts: readonly Uint32Array[];
  /** `words[L][i]`: the last token of entry i at level L ≥ 1 (`words[0]` is empty: node id = token id). */
  readonly words: readonly Int32Array[];
  /** `starts[L]` (L < N − 1, length nodes + 1): children of node i at level L are `starts[L][i] … starts[L][i+1] − 1` at level L + 1. */
  readonly starts: readonly Uint32Array[];
  /**
   * After pruning the highest order: for each level N − 2 node, the summed raw counts of its pruned
   * children (they stay in the denominator, their probability mass moves to the backoff). Null when unpruned.
   */
  readonly prunedMass: Uint32Array | null;
  /** Highest-order n-grams with a raw count below this were pruned (1 = nothing pruned). */
  readonly minCount: number;
}
