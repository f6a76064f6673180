import type { Candidates } from "../candidates.js";
import { candidateMax, computeProbs, truncateCandidates } from "../candidates.js";
import { SUM_BLOCK } from "../expSum.js";
import type { NucleusEdge } from "../kernels/dispatch.js";
import { createNucleusEdge } from "../kernels/dispatch.js";
import { portableExp } from "../portableExp.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { sortPairs } from "../sortPairs.js";
import type { RowView } from "../stageFastPath.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";

// Histogram of the logit gap d = max − logit: 16 buckets per nat over [0, 64), one overflow bucket.
const PER_NAT = 16;
const LAST = 64 * PER_NAT; // index of the overflow bucket (d ≥ 64, or −Infinity)

/**
 * Top-p (nucleus): keeps the smallest set of highest-probability tokens whose total probability is
 * ≥ `p`. A sorted input stays sorted (logit descending, ties → lower id); an unsorted one stays in id order.
 *
 * Exact definition: with e_i = exp(logit_i − max) and Z = Σ e_i (float64), order the candidates by
 * (logit descending, id ascending) and keep the shortest prefix whose running sum of e reaches p · Z —
 * at least `minKeep` tokens. `p ≥ 1` is a no-op. Summation order (it matters only within ~1e-16 of
 * the boundary, and is fixed, so results stay reproducible): on a sorted set the prefix is summed in
 * order; on an unsorted set the mass of whole histogram buckets (below) is summed bucket by bucket and
 * the cut bucket in sorted order; if rounding keeps the sum short, the whole cut bucket is kept.
 *
 * @param p - Nucleus mass in (0, 1].
 * @param opts - `minKeep` (integer ≥ 1, default 1).
 * @returns A stage named `"top_p"`.
 *
 * @example
 * ```ts
 * // probabilities [0.5, 0.3, 0.2] with top_p(0.79) → ids [0, 1]; top_p(0.81) → ids [0, 1, 2]
 * topP(0.79).apply(candidates, ctx);
 * ```
 *
 * Method: on an unsorted set (the whole vocabulary), one pass computes e_i, a second builds a
 * histogram of the mass per 1/16-nat bucket of the gap max − logit (bucket order = logit order); the
 * cumulative histogram finds the bucket where the mass crosses p·Z; only that bucket's tokens are
 * sorted to place the exact cut, and one stable compaction keeps the nucleus in id order. No sort of
 * the vocabulary or even of the nucleus. The e_i are kept for the draw (fused normalizer), and on an
 * untouched row their sum doubles as the raw log-normalizer. A sorted set (after top-k) is cut directly.
 * Fast path: when every stage before it is an inactive filter or a temperature T > 0, the SIMD
 * nucleus kernel picks the candidates from the loaded row (see `topPFromRow`).
 * References: Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration"; llama.cpp
 * `llama_sampler_top_p_apply` (bucket partial sort); vLLM `apply_top_k_top_p`.
 */
export function topP(p: number, opts: { minKeep?: number } = {}): SamplerStage {
  const minKeep = opts.minKeep ?? 1;
  const mass = new Float64Array(LAST + 1);
  const count = new Int32Array(LAST + 1);
  let bucket = new Uint16Array(0); // bucket of each candidate, grown on demand
  const stage: SamplerStage = {
    name: "top_p",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (p >= 1 || c.size <= 1) return;
      const n = c.size;
      const need = Math.min(minKeep, n);
      if (c.sorted) {
        computeProbs(c);
        const probs = c.probs;
        const target = p * c.probsSum;
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
      const probs = c.probs;
      if (bucket.length < n) bucket = new Uint16Array(n);
      const bk = bucket;
      mass.fill(0);
      count.fill(0);
      if (c.probsValid) {
        for (let i = 0; i < n; i++) {
          const d = m - logits[i]!;
          const b = d < 64 ? (d * PER_NAT) | 0 : LAST;
          bk[i] = b;
          mass[b] += probs[i]!;
          count[b]++;
        }
      } else {
        // exp, normalizer and histogram in one pass; the normalizer in computeProbs' block order
        let total = 0;
        let start = 0;
        while (start < n) {
          const end = Math.min(start + SUM_BLOCK, n);
          let partial = 0;
          for (let i = start; i < end; i++) {
            const d = m - logits[i]!;
            const e = portableExp(-d); // = exp(logit − max), bit-identical to computeProbs / expSum
            probs[i] = e;
            partial += e;
            const b = d < 64 ? (d * PER_NAT) | 0 : LAST;
            bk[i] = b;
            mass[b] += e;
            count[b]++;
          }
          total += partial;
          start = end;
        }
        c.probsSum = total;
        c.probsValid = true;
        if (c.pristine) c.rawSum = total;
      }
      const target = p * c.probsSum;
      // The cut bucket: the first where the cumulative mass (bucket order) reaches the target with
      // enough tokens for minKeep. Every token of an earlier bucket has a strictly higher logit than
      // any token of the cut bucket, so it is in the nucleus.
      let cut = LAST;
      let before = 0; // mass of the buckets before `cut`
      let countBefore = 0;
      for (let b = 0; b <= LAST; b++) {
        const mb = mass[b]!;
        const cb = count[b]!;
        if (before + mb >= target && countBefore + cb >= need) {
          cut = b;
          break;
        }
        before += mb;
        countBefore += cb;
      }
      // Sort only the cut bucket by (logit desc, id asc) and find how many of it the nucleus needs.
      const s = ensureScratch(ctx.scratch, count[cut]!);
      const keys = s.f64a;
      const tie = s.i32a;
      const pos = s.i32b;
      let g = 0;
      for (let i = 0; i < n; i++) {
        if (bk[i] === cut) {
          keys[g] = -logits[i]!;
          tie[g] = ids[i]!;
          pos[g] = i;
          g++;
        }
      }
      if (g === 0) return; // only reachable through rounding at p → 1: everything is already in
      sortPairs(keys, tie, pos, g);
      let take = g; // all of it if rounding keeps the in-bucket sum short of the target
      let run = before;
      for (let j = 0; j < g; j++) {
        run += probs[pos[j]!]!;
        if (run >= target) {
          take = j + 1;
          break;
        }
      }
      if (countBefore + take < need) take = Math.min(need - countBefore, g);
      const lastLogit = -keys[take - 1]!;
      const lastId = tie[take - 1]!;
      // Stable compaction in id order (the unsorted invariant), carrying the exponentials along.
      let j = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = logits[i]!;
        const b = bk[i]!;
        if (b < cut || (b === cut && (v > lastLogit || (v === lastLogit && ids[i]! <= lastId)))) {
          const e = probs[i]!;
          ids[j] = ids[i]!;
          logits[j] = v;
          probs[j] = e;
          sum += e;
          j++;
        }
      }
      c.size = j;
      c.probsSum = sum;
      c.pristine = false;
      // c.max unchanged (the max is in bucket 0 or is the cut bucket's first member)
    },
    clone() {
      return topP(p, { minKeep });
    },
  };
  if (p >= 1) return withFastPath(stage, { effect: IDENTITY });
  // minKeep > 1 is not what the kernel's nucleus computes: no shortcut then.
  if (minKeep > 1) return withFastPath(stage, { effect: OTHER });
  return withFastPath(stage, { effect: OTHER, fromRow: (c, row, t) => topPFromRow(c, row, t, p) });
}

/**
 * top-p after leading no-ops and a temperature T > 0, on a row with a kernel handle: the SIMD nucleus
 * kernel (`LoadedRow.nucleus`: the smallest set of most likely tokens with float32 mass ≥ p, ties to
 * the lower id) picks the candidates from the whole row, left exactly as the temperature and top_p
 * stages leave them: ids ascending (unsorted), logits (u − max) / T rounded to float32 (u itself at
 * T = 1), their float64 exponentials and sum in id order. The kernel decides the edge on float32
 * exponentials; the edge is then re-decided in float64 (see `edgeIsExact`), and a row whose edge
 * float32 could have placed differently returns false: the chain then runs the exact stages on all V
 * candidates. False at T = 0 or V = 1.
 */
function topPFromRow(c: Candidates, row: RowView, t: number, p: number): boolean {
  if (!(t > 0) || row.length <= 1) return false;
  const { data, offset, length, max } = row;
  if (c.ids.length < length) {
    c.ids = new Int32Array(length);
    c.logits = new Float32Array(length);
    c.probs = new Float64Array(length);
  }
  const n = row.kernelRow!.nucleus(t, p, c.ids, edge);
  const ids = c.ids;
  const logits = c.logits;
  const m = t === 1 ? max : 0;
  if (t === 1) for (let i = 0; i < n; i++) logits[i] = data[offset + ids[i]!]!;
  else for (let i = 0; i < n; i++) logits[i] = (data[offset + ids[i]!]! - max) / t;
  // The exponentials and their sum as top_p's compaction leaves them (float64, id order), and the
  // kept terms' share of the error bound, Σ e_i·|x_i|.
  const probs = c.probs;
  let sum = 0;
  let moment = 0;
  for (let i = 0; i < n; i++) {
    const x = logits[i]! - m;
    const e = portableExp(x);
    probs[i] = e;
    sum += e;
    moment -= e * x;
  }
  if (!edgeIsExact(logits, probs, n, sum, moment, p, length)) return false;
  c.max = m;
  c.size = n;
  c.sorted = false;
  c.probsValid = true;
  c.probsSum = sum;
  c.selected = -1;
  c.pristine = false;
  c.rawSum = Number.NaN;
  return true;
}

/** Filled by the nucleus kernel for {@link topPFromRow}. */
const edge: NucleusEdge = createNucleusEdge();

// Error terms of the kernel's S = Σ e'_i against the stage's Z = Σ e_i (float64), relative per term:
// the shifted logit x_i is rounded up to 3 times in float32 where the stage rounds it once
// (≤ 4·2^-24·|x_i|), the kernels' exp is within 2 ulp (2·2^-23), and the float32 lane sums within
// 11·2^-24 of S; a term below e^-87.3 may be flushed to 0 (< 2e-38 each).
const ARG = 4 * 2 ** -24;
const EXP = 2 * 2 ** -23 + 1e-15;
const SUM = 11 * 2 ** -24;
const FLUSH = 2e-38;
/** Largest |x| of a term the kernels' exp does not flush to 0. */
const MAX_SHIFT = 88;

/**
 * Whether the kernel's nucleus (n candidates in id order, float64 exponentials `probs` summing to
 * `mass`) is exactly the stage's: with Z the float64 normalizer, mass ≥ p·Z and mass − e_last < p·Z,
 * where e_last is the last kept token in (logit desc, id asc) order. Z itself is not computed (that is
 * the V-element pass the kernel saves): |Z − S| ≤ B for the kernel's S, B = ARG·Σ e_i|x_i| + (EXP +
 * SUM)·S + flushed terms. Σ e_i|x_i| is exact over the kept tokens (`keptMoment`) and bounded over
 * the others from the kernel's bisection probes (the mass between two probes times the larger |x|
 * there). An edge within B of p·Z, or a tie at the edge the kernel broke by id on float32 values,
 * is left to the exact stage.
 */
function edgeIsExact(
  logits: Float32Array,
  probs: Float64Array,
  n: number,
  mass: number,
  keptMoment: number,
  p: number,
  length: number,
): boolean {
  if (edge.tiedOut || n === 0) return false;
  // The last kept token in the stage's order: the lowest logit, the highest id among equals.
  let last = 0;
  for (let i = 1; i < n; i++) if (logits[i]! <= logits[last]!) last = i;
  const below = mass - probs[last]!;
  const s = edge.sum;
  // Σ e_i|x_i| over the tokens left out (e_i < cut): between consecutive probes below the cut.
  let moment = keptMoment;
  let prevMass = edge.keptMass;
  let lowest = edge.cut;
  for (;;) {
    // the next probe below `lowest` (the probes come in bisection order, not sorted)
    let t = 0;
    let tMass = 0;
    for (let j = 0; j < edge.probes; j++) {
      const pt = edge.probeThreshold[j]!;
      if (pt < lowest && pt > t) {
        t = pt;
        tMass = edge.probeMass[j]!;
      }
    }
    if (t === 0) break;
    moment += Math.max(0, tMass - prevMass) * Math.min(-Math.log(t), MAX_SHIFT);
    prevMass = Math.max(prevMass, tMass);
    lowest = t;
  }
  moment += Math.max(0, s - prevMass) * MAX_SHIFT;
  const bound = (ARG * moment + (EXP + SUM) * s) * 1.01 + length * FLUSH;
  const slack = (mass + s) * (n + 4) * 2 ** -52; // float64 rounding of the sums compared
  return mass - slack >= p * (s + bound) && below + slack < p * (s - bound);
}
