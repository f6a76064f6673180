import type { Candidates } from "../candidates.js";
import { candidateMax, computeProbs } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { sortPairs } from "../sortPairs.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";

/**
 * Locally typical sampling: keeps the tokens whose surprisal is closest to the entropy, up to mass `p`.
 *
 * Exact definition: with probabilities p_i and entropy H = −Σ p_i ln p_i (float64), order candidates by
 * |−ln p_i − H| ascending (ties → the lower id) and keep the shortest prefix whose probability reaches
 * `p` (at least `minKeep`). The kept set is returned sorted by logit (descending, ties → lower id).
 * `p ≥ 1` or a single candidate is a no-op. Note: llama.cpp stops when the sum *exceeds* p; we use
 * "reaches" to match top-p's definition.
 *
 * @param p - Typical mass in (0, 1].
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"typical_p"`.
 *
 * @example
 * ```ts
 * // p = [0.5, 0.25, 0.25]: H = 1.0397; |surprisal − H| = [0.346, 0.346, 0.346] → ties by id; typical_p(0.5) → id 0
 * typicalP(0.5).apply(candidates, ctx);
 * ```
 *
 * Method: one exp pass, one entropy pass, one typicality pass, a 4,096-bin histogram of the mass over
 * typicality that bounds the kept prefix, then a sort of only the candidates inside that bound (usually a
 * small part of a whole vocabulary: at V = 100,277 about 3 ms instead of ~20 ms for a full sort), with a
 * full sort as the fallback when rounding leaves the bound short — the kept set is the full sort's.
 * References: Meister et al. 2023, "Locally Typical Sampling"; llama.cpp `llama_sampler_typical_apply`.
 */
export function typicalP(p: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const stage: SamplerStage = {
    name: "typical_p",
    apply(c: Candidates, ctx: SamplingContext): void {
      const n = c.size;
      if (p >= 1 || n <= 1) return;
      computeProbs(c);
      const m = candidateMax(c);
      const z = c.probsSum;
      const logZ = portableLog(z); // engine-independent: it decides which tokens survive
      const logits = c.logits;
      const ids = c.ids;
      const probs = c.probs;
      let h = 0;
      for (let i = 0; i < n; i++) {
        const e = probs[i]!;
        if (e > 0) h -= (e / z) * (logits[i]! - m - logZ);
      }
      const s = ensureScratch(ctx.scratch, n);
      const keys = s.f64a;
      const tie = s.i32a;
      const pos = s.i32b;
      const target = p * z;
      // Sorting all n by typicality is most of the cost at a full vocabulary (V = 100k: ~20 ms), yet the
      // kept prefix is usually a small part of it. The first j entries of the sorted order are exactly the
      // candidates with typicality ≤ t (ties at t included), so sorting only those gives the same prefix and
      // the same running sums, bit for bit. t is chosen from the mass with a margin far above float64
      // rounding; if the prefix still does not reach the target (or minKeep needs more), sort them all.
      const maxKey = fillKeys(keys, tie, pos, ids, logits, probs, n, m, logZ, h);
      const bound = typicalityBound(keys, probs, n, maxKey, Math.min(z, target + z * 2 ** -30));
      let count = n;
      if (bound !== Number.POSITIVE_INFINITY) {
        count = 0;
        for (let i = 0; i < n; i++) {
          if (keys[i]! <= bound) {
            keys[count] = keys[i]!;
            tie[count] = tie[i]!;
            pos[count++] = pos[i]!;
          }
        }
      }
      sortPairs(keys, tie, pos, count);
      let kept = crossing(probs, pos, count, target);
      if (count < n && (kept === 0 || (kept < minKeep && count < minKeep))) {
        fillKeys(keys, tie, pos, ids, logits, probs, n, m, logZ, h);
        sortPairs(keys, tie, pos, n);
        kept = crossing(probs, pos, n, target);
      }
      if (kept === 0) kept = n; // the target is never reached in float64: keep everything
      if (kept < minKeep) kept = Math.min(minKeep, n);
      // re-sort the kept set by (logit desc, id asc) and move it to the front
      for (let j = 0; j < kept; j++) keys[j] = -logits[pos[j]!]!;
      sortPairs(keys, tie, pos, kept);
      const f32 = s.f32a;
      for (let j = 0; j < kept; j++) f32[j] = logits[pos[j]!]!;
      for (let j = 0; j < kept; j++) {
        ids[j] = tie[j]!;
        logits[j] = f32[j]!;
      }
      c.size = kept;
      c.pristine = false;
      c.sorted = true;
      c.max = logits[0]!;
      c.probsValid = false;
    },
    clone() {
      return typicalP(p, { minKeep });
    },
  };
  return withFastPath(stage, { effect: p >= 1 ? IDENTITY : OTHER });
}

/**
 * Every candidate's typicality |surprisal − H| (+Infinity for a zero probability: those come last), id
 * and position, in candidate order; returns the largest finite typicality.
 */
function fillKeys(
  keys: Float64Array,
  tie: Int32Array,
  pos: Int32Array,
  ids: Int32Array,
  logits: Float32Array,
  probs: Float64Array,
  n: number,
  m: number,
  logZ: number,
  h: number,
): number {
  let maxKey = 0;
  for (let i = 0; i < n; i++) {
    const k = probs[i]! > 0 ? Math.abs(-(logits[i]! - m - logZ) - h) : Number.POSITIVE_INFINITY;
    if (k > maxKey && k !== Number.POSITIVE_INFINITY) maxKey = k;
    keys[i] = k;
    tie[i] = ids[i]!;
    pos[i] = i;
  }
  return maxKey;
}

/** Length of the shortest prefix (in sorted order) whose probability reaches `target`; 0 if none does. */
function crossing(probs: Float64Array, pos: Int32Array, count: number, target: number): number {
  let cum = 0;
  for (let j = 0; j < count; j++) {
    cum += probs[pos[j]!]!;
    if (cum >= target) return j + 1;
  }
  return 0;
}

const BINS = 4096;
const binMass = new Float64Array(BINS);

/**
 * A typicality t such that the candidates with typicality ≤ t hold at least `goal` of the mass: a
 * 4,096-bin histogram of the mass over [0, maxKey], t the upper edge of the bin where the running mass
 * reaches the goal (one round of a weighted radix select: the bin's own candidates are sorted with the
 * kept ones, so more rounds would save little). +Infinity when the finite keys never reach it.
 */
function typicalityBound(
  keys: Float64Array,
  probs: Float64Array,
  n: number,
  maxKey: number,
  goal: number,
): number {
  const width = maxKey / BINS;
  if (!(width > 0)) return Number.POSITIVE_INFINITY;
  binMass.fill(0);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (k <= maxKey) binMass[Math.min(BINS - 1, Math.floor(k / width))]! += probs[i]!;
  }
  let b = 0;
  let acc = 0;
  while (b < BINS && acc + binMass[b]! < goal) acc += binMass[b++]!;
  return b === BINS ? Number.POSITIVE_INFINITY : (b + 1) * width;
}
