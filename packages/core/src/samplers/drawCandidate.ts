import type { Candidates } from "../candidates.js";
import { computeProbs } from "../candidates.js";
import { EmptyCandidatesError } from "../errors.js";

/**
 * Inverse-CDF draw over the candidates with a given uniform `u`, by exactly `dist`'s rule: the first
 * candidate whose running sum of `e_i = exp(logit_i − max)` (float64, candidate order) exceeds u · Z
 * (if rounding leaves the sum short, the last candidate with e_i > 0). The draw of `dist` and of the
 * terminal stages that draw themselves (mirostat).
 *
 * @param c - Candidate set.
 * @param u - Uniform in [0, 1).
 * @param row - Row index for the error.
 * @param stage - Stage name for the error.
 * @returns The selected index in `[0, size)`.
 * @throws {EmptyCandidatesError} when no candidate has a positive probability.
 * @example
 * ```ts
 * drawCandidate(c, uniform(seed, stream, step), -1, "mirostat"); // e.g. 0
 * ```
 */
export function drawCandidate(c: Candidates, u: number, row: number, stage: string): number {
  computeProbs(c);
  const probs = c.probs;
  const n = c.size;
  const z = c.probsSum;
  if (!(z > 0)) throw new EmptyCandidatesError(row, stage);
  const target = u * z;
  let cum = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const e = probs[i]!;
    if (e > 0) {
      cum += e;
      last = i;
      if (cum > target) return i;
    }
  }
  return last;
}
