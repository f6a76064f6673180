/**
 * `exp(x)` for `x ≤ 0`, computed only with IEEE-754 double additions, multiplications and table
 * look-ups, so it returns the same bits in every JavaScript engine (V8, SpiderMonkey, JavaScriptCore)
 * — unlike `Math.exp`, whose last bit is implementation-defined — and is several times faster than
 * `Math.exp` in V8 (which calls out to C for every element).
 *
 * It is the exponential of the softmax family: softmax, log-softmax, log-sum-exp, entropy and
 * scoring all go through it, which makes their results identical in Node and in browsers.
 *
 * Domain: every caller exponentiates `u − max ≤ 0`. For `x < −745.2` (including `-Infinity`) it returns
 * exactly 0 (the true value is below half the smallest subnormal); `portableExp(0) = 1` exactly.
 * Accuracy: within 1 ulp of `Math.exp` on [−745.2, 0] (tested on millions of points).
 * Positive `x` is outside the contract (it returns a finite approximation for x < 709, not checked).
 *
 * Method (Tang 1989, table-driven): `n = round(x · 64/ln 2)` (ties to even), `x = n · ln2/64 + r` with `|r| ≤ ln2/128`
 * (Cody–Waite: `ln2/64 = L1 + L2`, L1 with 32 significant bits so `n · L1` is exact), then
 * `exp(x) = 2^(n >> 6) · 2^((n & 63)/64) · e^r` with `2^(j/64)` from a 64-entry table of correctly
 * rounded constants, `2^k` from a table built by exact halvings, and `e^r − 1` by its degree-5 Taylor
 * polynomial (truncation error `r⁶/720 < 4e-17`). No fused multiply-add exists in JavaScript, so
 * every engine rounds the same operations the same way.
 * References: P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE
 * floating-point arithmetic", ACM TOMS 15(2), 1989; W. J. Cody & W. Waite, "Software Manual for the
 * Elementary Functions", 1980.
 *
 * @param x - A number ≤ 0 (or -Infinity).
 * @returns `exp(x)` in [0, 1].
 *
 * @example
 * ```ts
 * portableExp(0);               // 1
 * portableExp(-1);              // 0.36787944117144233
 * portableExp(-Infinity);       // 0
 * ```
 */
export function portableExp(x: number): number {
  if (x < MIN_ARG) return 0; // also -Infinity
  // Round x·64/ln2 to the nearest integer (ties to even) with the 1.5·2^52 shifter: exact IEEE
  // arithmetic, cheaper than Math.round in V8.
  const n = x * INV_STEP + SHIFTER - SHIFTER;
  const r = x - n * STEP_HI - n * STEP_LO;
  const q = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))));
  const i = n | 0;
  const t = TWO_POW_J64[i & 63]!;
  const m = t + t * q; // 2^(j/64) · e^r in [1 − 2^-8, 2)
  const k = -(i >> 6);
  if (k < 1022) return m * TWO_POW_NEG_K[k]!; // normal result: the scaling is exact
  // Subnormal result: scale exactly into the normal range first, so that only the last product rounds.
  return m * TWO_POW_NEG_K[k - 64]! * TWO_POW_NEG_K[64]!;
}

/** Below this, exp(x) < 2^-1075 (half the smallest subnormal): the result is 0. */
const MIN_ARG = -745.2;
/** 1.5 · 2^52: adding and subtracting it rounds a double of magnitude < 2^51 to an integer. */
const SHIFTER = 6755399441055744;
/** 64 / ln 2. */
const INV_STEP = 92.33248261689366;
/** ln 2 / 64 = STEP_HI + STEP_LO; STEP_HI has 32 significant bits, so n · STEP_HI is exact for |n| < 2^21. */
const STEP_HI = 0.01083042469326756;
const STEP_LO = 2.9815858269852933e-12;

/** 2^(j/64), j = 0 … 63, each the correctly rounded double (computed to 60 digits, then rounded once; j = 32 is √2, which the spec fixes as `Math.SQRT2`). */
const TWO_POW_J64 = new Float64Array([
  1.0,
  1.0108892860517005,
  1.0218971486541166,
  1.0330248790212284,
  1.0442737824274138,
  1.0556451783605572,
  1.0671404006768237,
  1.0787607977571199,
  1.0905077326652577,
  1.102382583307841,
  1.1143867425958924,
  1.1265216186082418,
  1.1387886347566916,
  1.1511892299529827,
  1.1637248587775775,
  1.1763969916502812,
  1.189207115002721,
  1.202156731452703,
  1.215247359980469,
  1.22848053610687,
  1.241857812073484,
  1.255380757024691,
  1.2690509571917332,
  1.2828700160787783,
  1.2968395546510096,
  1.3109612115247644,
  1.3252366431597413,
  1.339667524053303,
  1.3542555469368927,
  1.3690024229745905,
  1.383909881963832,
  1.3989796725383112,
  Math.SQRT2,
  1.42961333839197,
  1.4451808069770467,
  1.460917794180647,
  1.4768261459394993,
  1.4929077282912648,
  1.5091644275934228,
  1.5255981507445384,
  1.5422108254079407,
  1.559004400237837,
  1.5759808451078865,
  1.593142151342267,
  1.6104903319492543,
  1.6280274218573478,
  1.645755478153965,
  1.6636765803267364,
  1.681792830507429,
  1.7001063537185235,
  1.718619298122478,
  1.7373338352737062,
  1.7562521603732995,
  1.7753764925265212,
  1.7947090750031072,
  1.8142521755003989,
  1.8340080864093424,
  1.8539791250833855,
  1.8741676341103,
  1.8945759815869656,
  1.9152065613971474,
  1.9360617934922943,
  1.9571441241754002,
  1.978456026387951,
]);

/** 2^-k for k = 0 … 1076, built by exact halvings (no Math.pow, whose rounding is engine-defined). */
const TWO_POW_NEG_K = new Float64Array(1077);
{
  let p = 1;
  for (let k = 0; k < TWO_POW_NEG_K.length; k++) {
    TWO_POW_NEG_K[k] = p;
    p *= 0.5;
  }
}
