// Test helpers for sampler stages: run stages on a row and read the survivors; straightforward float64
// references written from the definitions (full sorts, Math.exp) — deliberately unlike the kernels.
import type { Candidates, SamplerStage } from "../../src/index.js";
import { createCandidates, createSamplingContext, loadCandidates } from "../../src/index.js";

export const NEG = Number.NEGATIVE_INFINITY;

export interface Kept {
  ids: number[];
  logits: number[];
  sorted: boolean;
  c: Candidates;
}

/** Loads `row` and applies `stages` in order; returns the surviving ids (in candidate order). */
export function run(row: ArrayLike<number>, ...stages: SamplerStage[]): Kept {
  const data = Float32Array.from(row);
  const c = createCandidates();
  let max = NEG;
  for (const v of data) if (v > max) max = v;
  loadCandidates(c, data, 0, data.length, max);
  const ctx = createSamplingContext(data.length);
  for (const s of stages) s.apply(c, ctx);
  return {
    ids: Array.from(c.ids.subarray(0, c.size)),
    logits: Array.from(c.logits.subarray(0, c.size)),
    sorted: c.sorted,
    c,
  };
}

/** Surviving ids as a sorted list (set comparison). */
export function keptSet(row: ArrayLike<number>, ...stages: SamplerStage[]): number[] {
  return run(row, ...stages).ids.sort((a, b) => a - b);
}

/** Ids ordered by (logit desc, id asc) — the tie rule of the design. */
export function order(row: ArrayLike<number>): number[] {
  const ids = Array.from(row, (_, i) => i);
  return ids.sort((a, b) => (row[b]! - row[a]! > 0 ? 1 : row[b]! - row[a]! < 0 ? -1 : a - b));
}

/** Float64 softmax from the definition (−Infinity → 0). */
export function softmaxRef(row: ArrayLike<number>): number[] {
  let m = NEG;
  for (let i = 0; i < row.length; i++) if (row[i]! > m) m = row[i]!;
  const e = Array.from(row, (v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Reference top-p: the shortest (logit desc, id asc) prefix with total probability ≥ p. */
export function topPRef(row: ArrayLike<number>, p: number): number[] {
  if (p >= 1) return Array.from(row, (_, i) => i);
  const probs = softmaxRef(row);
  const ord = order(row);
  const out: number[] = [];
  let cum = 0;
  for (const i of ord) {
    out.push(i);
    cum += probs[i]!;
    if (cum >= p) break;
  }
  return out.sort((a, b) => a - b);
}

/** Reference top-k: the first k of the (logit desc, id asc) order. */
export function topKRef(row: ArrayLike<number>, k: number): number[] {
  if (k <= 0 || k >= row.length) return Array.from(row, (_, i) => i);
  return order(row)
    .slice(0, k)
    .sort((a, b) => a - b);
}

/** Reference min-p: p_i ≥ m · p_max (in probability space), at least one kept. */
export function minPRef(row: ArrayLike<number>, m: number): number[] {
  if (m <= 0) return Array.from(row, (_, i) => i);
  const probs = softmaxRef(row);
  const pmax = Math.max(...probs);
  const out = probs.flatMap((p, i) => (p >= m * pmax ? [i] : []));
  return out.length > 0 ? out : [order(row)[0]!];
}

/** Reference from the definition: order by |−ln p − H| (ties → lower id), shortest prefix with mass ≥ p. */
export function typicalRef(row: number[], p: number): number[] {
  if (p >= 1) return row.map((_, i) => i);
  const probs = softmaxRef(row);
  const h = -probs.reduce((s, q) => (q > 0 ? s + q * Math.log(q) : s), 0);
  const score = probs.map((q) => (q > 0 ? Math.abs(-Math.log(q) - h) : Number.POSITIVE_INFINITY));
  const ord = row.map((_, i) => i).sort((a, b) => score[a]! - score[b]! || a - b);
  const out: number[] = [];
  let cum = 0;
  for (const i of ord) {
    out.push(i);
    cum += probs[i]!;
    if (cum >= p) break;
  }
  return out.sort((a, b) => a - b);
}
