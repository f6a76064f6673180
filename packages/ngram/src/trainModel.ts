import { type CountOptions, countNgrams } from "./countNgrams.js";
import { NgramModel } from "./NgramModel.js";
import { pruneNgrams } from "./pruneNgrams.js";

/** `countNgrams` options plus a count cutoff for the highest order. */
export interface TrainOptions extends CountOptions {
  /** Keep highest-order n-grams seen at least this many times (default 1: keep all); see `pruneNgrams`. */
  readonly minCount?: number;
}

/**
 * Trains an interpolated modified Kneser-Ney model on a token stream: `countNgrams`, then
 * `pruneNgrams` when `minCount` > 1, then `new NgramModel`. Deterministic: the same stream and
 * options give the same model file byte for byte.
 *
 * References: Kneser & Ney 1995; Chen & Goodman 1998, TR-10-98.
 *
 * @param stream token ids with `eosId` between units of text, e.g. `[eos, …para 1…, eos, …para 2…, eos]`
 * @example
 * const model = trainModel([0, 1, 2, 0, 1, 3, 0], { order: 3, vocabSize: 4, eosId: 0 });
 * model.next([1]); // Float32Array(4) of log-probabilities
 */
export function trainModel(stream: ArrayLike<number>, options: TrainOptions): NgramModel {
  const counts = countNgrams(stream, options);
  const minCount = options.minCount ?? 1;
  return new NgramModel(minCount > 1 && options.order > 1 ? pruneNgrams(counts, minCount) : counts);
}
