import type { Candidates } from "../candidates.js";
import { candidateMax, computeProbs, truncateCandidates } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { sortPairs } from "../sortPairs.js";

// Histogram of the logit gap d = max − logit: 16 buckets per nat over [0, 64), one overflow bucket.
const PER_NAT = 16;
const LAST = 64 * PER_NAT; // index of the overflow bucket (d ≥ 64, or −Infinity)

/**
 * Top-p (nucleus): keeps the smallest set of highest-probability tokens whose total probability is
 * ≥ `p`. The result is sorted (logit descending, ties → the lower id).
 *
 * Exact definition: with e_i = exp(logit_i − max) and Z = Σ e_i (float64, index order), order the
 * candidates by (logit descending, id ascending) and keep the shortest prefix whose running sum of e
 * reaches p · Z — at least `minKeep` tokens, and all of them if rounding never lets the sum reach it.
 * `p ≥ 1` is a no-op.
 *
 * @param p - Nucleus mass in (0, 1].
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"top_p"`.
 *
 * @example
 * ```ts
 * // probabilities [0.5, 0.3, 0.2] with top_p(0.8) → ids [0, 1]; top_p(0.81) → ids [0, 1, 2]
 * topP(0.8).apply(candidates, ctx);
 * ```
 *
 * Method: on an unsorted set (the whole vocabulary), one pass computes e_i and a histogram of the
 * mass per 1/16-nat bucket of the gap max − logit; the cumulative histogram finds the bucket where the
 * mass crosses p·Z; only the tokens up to that bucket are gathered and sorted (≈1.0–1.1× the nucleus),
 * and the exact cut is found in that sorted prefix. The e_i are kept for the draw (fused normalizer).
 * A sorted set (after top-k) is cut directly.
 * References: Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration"; llama.cpp
 * `llama_sampler_top_p_apply` (bucket partial sort); vLLM `apply_top_k_top_p`.
 */
export function topP(p: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const mass = new Float64Array(LAST + 1);
  const count = new Int32Array(LAST + 1);
  return {
    name: "top_p",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (p >= 1 || c.size <= 1) return;
      computeProbs(c);
      const n = c.size;
      const probs = c.probs;
      const target = p * c.probsSum;
      const need = Math.min(minKeep, n);
      if (c.sorted) {
        let cum = 0;
        let kept = n;
        for (let i = 0; i < n; i++) {
          cum += probs[i]!;
          if (cum >= target) {
            kept = i + 1;
            break;
          }
        }
        truncateCandidates(c, Math.max(kept, need));
        return;
      }
      const m = candidateMax(c);
      const logits = c.logits;
      const ids = c.ids;
      mass.fill(0);
      count.fill(0);
      for (let i = 0; i < n; i++) {
        const d = m - logits[i]!;
        const b = d < 64 ? (d * PER_NAT) | 0 : LAST;
        mass[b] += probs[i]!;
        count[b]++;
      }
      // the bucket where the cumulative mass first reaches the target, and enough tokens for minKeep
      let cut = LAST;
      let cum = 0;
      let have = 0;
      for (let b = 0; b <= LAST; b++) {
        cum += mass[b]!;
        have += count[b]!;
        if (cum >= target && have >= need) {
          cut = b;
          break;
        }
      }
      const s = ensureScratch(ctx.scratch, n);
      const keys = s.f64a;
      const tie = s.i32a;
      const pos = s.i32b;
      let kept = 0;
      let gathered = 0;
      for (;;) {
        gathered = 0;
        for (let i = 0; i < n; i++) {
          const d = m - logits[i]!;
          const b = d < 64 ? (d * PER_NAT) | 0 : LAST;
          if (b <= cut) {
            keys[gathered] = -logits[i]!;
            tie[gathered] = ids[i]!;
            pos[gathered] = i;
            gathered++;
          }
        }
        sortPairs(keys, tie, pos, gathered);
        let run = 0;
        kept = 0;
        for (let j = 0; j < gathered; j++) {
          run += probs[pos[j]!]!;
          if (run >= target) {
            kept = j + 1;
            break;
          }
        }
        if (kept > 0 || cut === LAST) break;
        // the histogram's summation order reached the target but the sorted order fell short by a
        // rounding error: widen by one bucket and redo (rare)
        cut++;
      }
      if (kept === 0) kept = gathered;
      if (kept < need) kept = need;
      // move the nucleus, sorted, to the front (via scratch: sources are scattered)
      const f32 = s.f32a;
      let sum = 0;
      for (let j = 0; j < kept; j++) {
        const i = pos[j]!;
        f32[j] = logits[i]!;
        const e = probs[i]!;
        keys[j] = e;
        sum += e;
      }
      for (let j = 0; j < kept; j++) {
        ids[j] = tie[j]!;
        logits[j] = f32[j]!;
        probs[j] = keys[j]!;
      }
      c.size = kept;
      c.sorted = true;
      c.probsSum = sum;
      // c.max unchanged: the max heads the nucleus; probs stay exp(logit − max)
    },
    clone() {
      return topP(p, { minKeep });
    },
  };
}
