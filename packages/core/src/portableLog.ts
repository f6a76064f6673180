/**
 * Natural logarithm of a positive finite number, computed only with IEEE-754 double additions,
 * multiplications and divisions, so it returns the same bits in every JavaScript engine — unlike
 * `Math.log`, whose last bit is implementation-defined. The softmax family takes one log per row
 * (of its normalizer), through this function, so log-softmax, log-sum-exp, entropy, KL and scores
 * are identical in Node and in browsers.
 *
 * Domain: `x > 0`, finite (callers pass a normalizer `S ≥ 1`). Accuracy: within 1 ulp of `Math.log`
 * (tested). `portableLog(1) = 0` exactly.
 *
 * Method (fdlibm `e_log.c`): scale x by exact powers of two to `x = 2^k · m` with `m ∈ [√½, √2)`; with
 * `f = m − 1`, `s = f / (2 + f)`: `log m = f − f²/2 + s (f²/2 + R(s²))`, R the fdlibm minimax polynomial
 * (error < 2^-58.45), and `log x = k · ln2_hi + (log m + k · ln2_lo)`, with `ln2_hi` short enough that
 * `k · ln2_hi` is exact.
 * References: Sun Microsystems fdlibm 5.3, `e_log.c` (1993); P. T. P. Tang, "Table-driven
 * implementation of the logarithm function in IEEE floating-point arithmetic", ACM TOMS 16(4), 1990.
 *
 * @param x - A positive finite number.
 * @returns `ln x`.
 *
 * @example
 * ```ts
 * portableLog(1);      // 0
 * portableLog(Math.E); // 1
 * portableLog(4);      // 1.3862943611198906
 * ```
 */
export function portableLog(x: number): number {
  let m = x;
  let k = 0;
  // Exact scaling by powers of two (no bit access: typed-array aliasing depends on endianness).
  while (m >= TWO_32) {
    m *= TWO_M32;
    k += 32;
  }
  while (m < TWO_M32) {
    m *= TWO_32;
    k -= 32;
  }
  while (m >= Math.SQRT2) {
    m *= 0.5;
    k += 1;
  }
  while (m < Math.SQRT1_2) {
    m *= 2;
    k -= 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}

const TWO_32 = 4294967296;
const TWO_M32 = 1 / 4294967296;
/** ln 2 split so that k · LN2_HI is exact for |k| < 2^11 (fdlibm). */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** fdlibm's minimax coefficients of R(z) ≈ (log((1+s)/(1−s)) − 2s)/s on |s| ≤ 0.1716. */
const LG1 = 0.6666666666666735;
const LG2 = 0.3999999999940942;
const LG3 = 0.2857142874366239;
const LG4 = 0.22222198432149784;
const LG5 = 0.1818357216161805;
const LG6 = 0.15313837699209373;
const LG7 = 0.14798198605116586;
