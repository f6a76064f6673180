import { LogitOverflowError } from "./errors.js";
import { F32_OVERFLOW } from "./float32Overflow.js";
import { logSumExpStrided } from "./logSumExp.js";

/**
 * Classifier-free guidance of one row: pushes the conditional distribution away from the
 * unconditional one, in log space.
 *
 * Exact definition (Hugging Face's `UnbatchedClassifierFreeGuidanceLogitsProcessor`, Sanchez et al.):
 * with c = log_softmax(cond) and u = log_softmax(uncond) (float64 log-sum-exp),
 * `out_i = u_i + scale · (c_i − u_i)`, rounded to float32. A token masked (−Infinity) in either row is
 * −Infinity in the output, except that scale = 1 returns c and scale = 0 returns u exactly. The output
 * is a row of logits (log-probabilities up to a shift), ready for any sampler.
 *
 * @param cond - Conditional logits (prompt with the guidance text), finite or −Infinity.
 * @param uncond - Unconditional (or negative-prompt) logits, the same length.
 * @param scale - Guidance scale γ, finite (1 = no guidance; 1.5 typical).
 * @param out - Optional output row (may be `cond` or `uncond` itself).
 * @returns `out` (a new row when omitted).
 * @throws {InvalidLogitsError} on a bad row; {@link LogitOverflowError} when γ is so large that a value
 * leaves float32's range; a `RangeError` when the lengths differ.
 *
 * @example
 * ```ts
 * guidance(new Float32Array([0, 0]), new Float32Array([0, Math.log(3)]), 2);
 * // c = [ln .5, ln .5], u = [ln .25, ln .75] → out = [ln .25 + 2 ln 2, ln .75 + 2 ln(2/3)] = [0.2877, -1.0986]
 * ```
 *
 * References: Ho & Salimans 2022 (classifier-free guidance); Sanchez et al. 2023, "Stay on topic with
 * Classifier-Free Guidance"; Hugging Face transformers `UnbatchedClassifierFreeGuidanceLogitsProcessor`.
 */
export function guidance(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  out: Float32Array = new Float32Array(cond.length),
): Float32Array {
  const n = cond.length;
  if (uncond.length !== n || out.length !== n) {
    throw new RangeError(
      `guidance: rows differ in length (cond ${n}, uncond ${uncond.length}, out ${out.length})`,
    );
  }
  if (!Number.isFinite(scale)) throw new RangeError(`guidance: scale must be finite, got ${scale}`);
  const lc = logSumExpStrided({ data: cond, offset: 0, length: n, temperature: 1, row: -1 });
  const lu = logSumExpStrided({ data: uncond, offset: 0, length: n, temperature: 1, row: -1 });
  for (let i = 0; i < n; i++) {
    const c = cond[i]! - lc;
    const u = uncond[i]! - lu;
    let v: number;
    if (scale === 1) v = c;
    else if (scale === 0) v = u;
    else if (c === Number.NEGATIVE_INFINITY || u === Number.NEGATIVE_INFINITY) v = Number.NEGATIVE_INFINITY;
    else v = u + scale * (c - u);
    if (v >= F32_OVERFLOW) throw new LogitOverflowError(-1, i, "guidance", `scale ${scale} gives ${v}`);
    out[i] = v;
  }
  return out;
}
