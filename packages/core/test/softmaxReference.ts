// Float64 references written from the mathematical definitions, independent of the kernels under test
// (no blocking, no shared helpers): p_i = exp(u_i/T) / Σ_j exp(u_j/T), evaluated with the max shift
// (an identity) so large logits do not overflow.

export function refSoftmax(u: ArrayLike<number>, temperature = 1): number[] {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < u.length; i++) m = Math.max(m, u[i]!);
  const e: number[] = [];
  let s = 0;
  for (let i = 0; i < u.length; i++) {
    const v = Math.exp((u[i]! - m) / temperature);
    e.push(v);
    s += v;
  }
  return e.map((v) => v / s);
}

export function refLogSumExp(u: ArrayLike<number>, temperature = 1): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < u.length; i++) m = Math.max(m, u[i]!);
  let s = 0;
  for (let i = 0; i < u.length; i++) s += Math.exp((u[i]! - m) / temperature);
  return m / temperature + Math.log(s);
}

export function refEntropy(u: ArrayLike<number>): number {
  const p = refSoftmax(u);
  let h = 0;
  for (const pi of p) if (pi > 0) h -= pi * Math.log(pi);
  return h;
}

/** Expect |actual_i − expected_i| ≤ abs + rel·|expected_i| for every i (and equal lengths). */
export function closeTo(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  abs: number,
  rel = 0,
): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (a === b) continue; // covers equal infinities
    if (!(Math.abs(a - b) <= abs + rel * Math.abs(b))) return false;
  }
  return true;
}

/** Logits on a 1/256 grid in [-20, 20]: exact in float32, and so is adding a small integer shift. */
export function gridLogits(values: number[]): Float32Array {
  return Float32Array.from(values, (v) => Math.round(v * 256) / 256);
}

/**
 * Error bound of a log-normalizer (log-sum-exp; so of every log-probability `u_t − max − log S`, as
 * an absolute difference) against the float64 references above, for a row of length v at
 * temperature t. The kernels' normalizer S is the float32 exp-and-sum of src/kernels/ (the one
 * softmax uses). With ε = 2⁻²⁴ and d_i = (u_i − max)/T, all terms positive:
 *   - exp: < 0.99 ulp ≤ 2ε relative per term;
 *   - summation: each f32 lane adds 8 groups (a + b) + (c + d) per block of 128 (7 roundings, the
 *     first add is to 0, plus 2 inside a group), 9ε relative; blocks reduced in float64 (~1e-16);
 *   - the shifted logit is rounded to float32: fround(u − max) (exact when the shift is, e.g. on the
 *     1/256 grid of gridLogits), and at T ≠ 1 also × fround(1/T) and fround(1/T) itself — each
 *     rounding moves e_i by ≤ ε·|d_i| relative, ε·E_p|d| on S, and E_p|d| = H − log S ≤ ln V;
 * so |Δ log S| ≤ |ΔS/S| ≤ ε·(11 + k·ln v), k = 1 at T = 1 and 3 otherwise: 6.6e-7 for an exact
 * shift, 7.5e-7 at V = 5, 1.1e-6 at V = 3000 (T = 1), 2.1e-6 at V = 3000 (T ≠ 1) — far below the
 * precision of float32 logits themselves (a logit of magnitude 10 carries ±4.8e-7). A worst case:
 * the rounding directions rarely agree. Measured: at most 1.5e-7 on 2,000+ random rows (V ≤ 262,144,
 * T ∈ [0.1, 10]); rows of one large logit beside many equal ones come closest, 4.2e-7 at T = 1
 * (bound 6.6e-7) and 7.2e-7 at T = 0.7, V = 128,256 (bound 2.8e-6).
 */
export function logTol(v: number, t = 1): number {
  return 2 ** -24 * (11 + (t === 1 ? 1 : 3) * Math.log(Math.max(v, 1)));
}

/**
 * Error bound of an entropy H = log S − M/S (M = Σ e_i d_i, the float32 moment summed in the same
 * lanes and blocks as S, each product rounded once) for a row with an exact shift (e.g. gridLogits)
 * at T = 1: M's terms all have one sign, so its relative error is S's plus one rounding (12ε), and
 * |Δ(M/S)| ≤ |M/S|·(12ε + 11ε) with |M/S| = E_p|d| ≤ H; |ΔH| ≤ 11ε + 23ε·H. Measured at most
 * 8.8e-8 on the random rows above.
 */
export function entropyTol(h: number): number {
  return 2 ** -24 * (11 + 23 * Math.abs(h));
}

/** The float32 ulp at |y| (the spacing of float32 values in y's binade; 2⁻¹⁴⁹ below the normal range). */
export function ulpF32(y: number): number {
  const a = Math.abs(y);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}
