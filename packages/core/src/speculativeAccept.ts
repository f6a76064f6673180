import { auxUniform } from "./auxUniform.js";
import { checkRow } from "./checkRow.js";
import { InvalidParamsError } from "./errors.js";
import { portableExp } from "./portableExp.js";
import { uniform } from "./rng.js";

/** Inputs of {@link speculativeAccept}. */
export interface SpeculativeAcceptOptions {
  /** The k tokens the draft model proposed, in order. */
  draftTokens: ArrayLike<number>;
  /** The draft model's probabilities q: k rows × V (row j: the distribution `draftTokens[j]` was drawn from). */
  draftProbs: Float32Array | Float64Array;
  /**
   * The target model's logits: k + 1 rows × V (row j: after the prompt and the first j draft tokens;
   * the last row gives the bonus token when every draft token is accepted).
   */
  targetLogits: Float32Array;
  /** Vocabulary size V ≥ 1. */
  vocab: number;
  /** Temperature applied to the target logits (finite ≥ 0; 0 = greedy target). Default 1. */
  temperature?: number;
  /** RNG seed (integer in [0, 2^32)). Default 0. */
  seed?: number;
  /** RNG stream (request id). Default 0. */
  stream?: number;
  /** Token position of the first draft token: position j uses step `step + j`. Default 0. */
  step?: number;
}

/** What {@link speculativeAccept} returns. */
export interface SpeculativeAcceptResult {
  /** The tokens to emit: the accepted draft prefix, then one corrected or bonus token (length accepted + 1). */
  tokens: number[];
  /** How many draft tokens were accepted (0 … k). */
  accepted: number;
}

/**
 * Speculative decoding's acceptance rule: keeps a prefix of the draft model's tokens and adds one token,
 * so the emitted tokens are distributed exactly as if drawn from the target model, whatever the draft.
 *
 * Exact definition (Leviathan et al. 2023; Chen et al. 2023): with p_j = softmax(targetLogits_j / T)
 * (float64; T = 0: all mass on the top token, ties → lower id) and q_j the draft row normalized by its
 * sum, for j = 0 … k − 1 and x = draftTokens[j]:
 * - accept x when `a · q_j(x) < p_j(x)` (that is, with probability min(1, p/q)), where
 *   a = `auxUniform(seed, stream, step + j)` (words 2–3 of the Philox block);
 * - otherwise emit a draw from r ∝ max(0, p_j − q_j) with u = `uniform(seed, stream, step + j)`
 *   (inverse CDF in id order, `dist`'s rule; from p_j itself in the rounding case Σ r = 0) and stop.
 * When all k are accepted, emit a draw from p_k with u = `uniform(seed, stream, step + k)` — the same
 * draw a plain `dist` sampler would make at that position.
 *
 * @param opts - See {@link SpeculativeAcceptOptions}.
 * @returns The emitted tokens and the accepted count.
 * @throws {InvalidParamsError} on mismatched shapes, a draft token outside [0, V) or a negative/NaN q;
 * {@link InvalidLogitsError} on a bad target row.
 *
 * @example
 * ```ts
 * // V = 2, draft proposed token 1 with q = [0.5, 0.5]; target p_0 = [0.5, 0.5] → always accepted
 * speculativeAccept({ draftTokens: [1], draftProbs: Float32Array.of(0.5, 0.5),
 *   targetLogits: Float32Array.of(0, 0, 0, 0), vocab: 2 }); // { tokens: [1, x], accepted: 1 }
 * ```
 *
 * References: Leviathan, Kalman & Matias 2023, "Fast Inference from Transformers via Speculative
 * Decoding" (Algorithm 1); Chen et al. 2023, "Accelerating Large Language Model Decoding with
 * Speculative Sampling".
 */
export function speculativeAccept(opts: SpeculativeAcceptOptions): SpeculativeAcceptResult {
  const v = opts.vocab;
  const k = opts.draftTokens.length;
  const t = opts.temperature ?? 1;
  const seed = opts.seed ?? 0;
  const stream = opts.stream ?? 0;
  const step = opts.step ?? 0;
  if (!(Number.isInteger(v) && v >= 1))
    throw new InvalidParamsError("vocab", `must be an integer ≥ 1, got ${v}`);
  if (opts.draftProbs.length !== k * v) {
    throw new InvalidParamsError(
      "draftProbs",
      `must hold ${k} rows × ${v} = ${k * v} values, got ${opts.draftProbs.length}`,
    );
  }
  if (opts.targetLogits.length !== (k + 1) * v) {
    throw new InvalidParamsError(
      "targetLogits",
      `must hold k + 1 = ${k + 1} rows × ${v} = ${(k + 1) * v} values, got ${opts.targetLogits.length}`,
    );
  }
  if (!(t >= 0 && Number.isFinite(t)))
    throw new InvalidParamsError("temperature", `must be a finite number ≥ 0, got ${t}`);
  const p = new Float64Array(v);
  const tokens: number[] = [];
  for (let j = 0; j < k; j++) {
    const x = opts.draftTokens[j]!;
    if (!(Number.isInteger(x) && x >= 0 && x < v)) {
      throw new InvalidParamsError("draftTokens", `token ${j} is ${x}, not an id in [0, ${v})`);
    }
    targetProbs(opts.targetLogits, j * v, v, t, j, p);
    const q = opts.draftProbs;
    let qSum = 0;
    for (let i = 0; i < v; i++) {
      const qi = q[j * v + i]!;
      if (!(qi >= 0))
        throw new InvalidParamsError("draftProbs", `row ${j}, token ${i}: ${qi} is not a probability ≥ 0`);
      qSum += qi;
    }
    if (!(qSum > 0))
      throw new InvalidParamsError("draftProbs", `row ${j} sums to ${qSum}; it must have positive mass`);
    const qx = q[j * v + x]! / qSum;
    if (auxUniform(seed, stream, step + j) * qx < p[x]!) {
      tokens.push(x);
      continue;
    }
    // Rejected: draw from the residual max(0, p − q), normalized.
    let r = 0;
    for (let i = 0; i < v; i++) r += Math.max(0, p[i]! - q[j * v + i]! / qSum);
    const u = uniform(seed, stream, step + j);
    if (r > 0) {
      tokens.push(inverseCdf(p, q, j * v, qSum, u * r, v));
    } else {
      tokens.push(inverseCdf(p, null, 0, 1, u, v));
    }
    return { tokens, accepted: j };
  }
  targetProbs(opts.targetLogits, k * v, v, t, k, p);
  tokens.push(inverseCdf(p, null, 0, 1, uniform(seed, stream, step + k), v));
  return { tokens, accepted: k };
}

/** p ← softmax(row / t) in float64 (t = 0: one-hot at the first maximum). */
function targetProbs(
  data: Float32Array,
  offset: number,
  v: number,
  t: number,
  row: number,
  p: Float64Array,
): void {
  const max = checkRow(data, offset, v, row);
  if (t === 0) {
    let best = -1;
    for (let i = 0; i < v; i++) {
      p[i] = 0;
      if (best < 0 && data[offset + i] === max) best = i;
    }
    p[best] = 1;
    return;
  }
  let z = 0;
  for (let i = 0; i < v; i++) {
    const e = portableExp((data[offset + i]! - max) / t);
    p[i] = e;
    z += e;
  }
  for (let i = 0; i < v; i++) p[i] = p[i]! / z;
}

/**
 * The first id whose running sum of w_i exceeds `target`, with w = max(0, p − q/qSum) when `q` is given,
 * else w = p (the last id with w_i > 0 if rounding leaves the sum short).
 */
function inverseCdf(
  p: Float64Array,
  q: Float32Array | Float64Array | null,
  qOffset: number,
  qSum: number,
  target: number,
  v: number,
): number {
  let cum = 0;
  let last = 0;
  for (let i = 0; i < v; i++) {
    const w = q === null ? p[i]! : Math.max(0, p[i]! - q[qOffset + i]! / qSum);
    if (w > 0) {
      cum += w;
      last = i;
      if (cum > target) return i;
    }
  }
  return last;
}
