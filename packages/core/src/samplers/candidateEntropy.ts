import type { Candidates } from "../candidates.js";
import { candidateMax } from "../candidates.js";
import { portableLog } from "../portableLog.js";

/**
 * Entropy (nats, float64) of the softmax of the candidates; needs `computeProbs(c)` first.
 *
 * Method: H = ln Z − Σ (e_i / Z)(l_i − max), with e_i = exp(l_i − max) and Z = Σ e_i — the form that
 * needs one log per row instead of one per token (the engine-independent `portableLog`).
 *
 * @param c - A non-empty candidate set with valid exponentials.
 * @returns H ≥ 0.
 * @example
 * ```ts
 * computeProbs(c); candidateEntropy(c); // ln 2 for logits [0, 0]
 * ```
 */
export function candidateEntropy(c: Candidates): number {
  const n = c.size;
  const z = c.probsSum;
  const m = candidateMax(c);
  const probs = c.probs;
  const logits = c.logits;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const e = probs[i]!;
    if (e > 0) s += e * (logits[i]! - m);
  }
  return portableLog(z) - s / z;
}
