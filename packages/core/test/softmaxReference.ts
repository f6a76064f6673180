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
