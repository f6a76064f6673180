import { checkRow } from "../checkRow.js";
import { InvalidParamsError } from "../errors.js";
import { topPKernel } from "./dispatch.js";

/**
 * The top-p nucleus of one logit row: the smallest set of most likely tokens whose total
 * probability under softmax(u / T) is ≥ p (among equal probabilities the lower id enters first),
 * written to `outIds` in ascending id order. Returns its size (≥ 1). `p ≥ 1` keeps every token with
 * nonzero probability.
 *
 * Method: one SIMD exp-and-sum pass keeps the terms e_i; a bisection over the float bits of a
 * threshold (13 SIMD passes of Σ e_i over e_i ≥ t) brackets the nucleus edge in a band 1/32 of an
 * octave wide; only the band's few entries are sorted, which fixes the last token, and one
 * branch-free SIMD collect pass writes the nucleus. No sort of the vocabulary.
 *
 * @param data - Logits (finite or -Infinity).
 * @param offset - First element of the row in `data`.
 * @param length - V ≥ 1 (at most 4,194,304).
 * @param temperature - T > 0.
 * @param p - In (0, 1].
 * @param outIds - Receives up to V token ids.
 * @param row - Global row index named in errors (default -1).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} bad temperature, p, or length.
 *
 * @example
 * ```ts
 * const ids = new Int32Array(4);
 * topPNucleus(new Float32Array([0, 2, 1, -1]), 0, 4, 1, 0.8, ids); // 2: ids = [1, 2, …]
 * ```
 */
export function topPNucleus(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
  p: number,
  outIds: Int32Array,
  row = -1,
): number {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new InvalidParamsError("temperature", `must be a finite number > 0, got ${temperature}`);
  }
  if (!(p > 0 && p <= 1)) throw new InvalidParamsError("topP", `must be in (0, 1], got ${p}`);
  if (length > 4_194_304) throw new InvalidParamsError("length", "at most 4,194,304 tokens");
  if (!(offset >= 0 && offset + length <= data.length && length > 0)) checkRow(data, offset, length, row);
  if (outIds.length < length) throw new InvalidParamsError("outIds", `needs room for ${length} ids`);
  const c = topPKernel(data, offset, length, temperature, p, outIds);
  if (c < 0) checkRow(data, offset, length, row); // throws: names the bad value
  return c;
}
