// Measures the error of the kernels' exp over EVERY float32 in [-87.3365, 0] (about 1.1e9 values)
// against float64 Math.exp, in ulps of the float32 result. Slow (minutes); not part of the tests,
// which check a dense sample. Run after a build: node scripts/exp-error.mjs
import { expKernel } from "../dist/internal.js";

const CHUNK = 1 << 20;
const bits = new Uint32Array(CHUNK);
const xs = new Float32Array(bits.buffer);
const ys = new Float32Array(CHUNK);
const lo = Math.fround(-87.3365);
let max = 0;
let at = 0;
let count = 0;
const hist = [0, 0, 0, 0]; // errors in [0, 0.5), [0.5, 1), [1, 1.5), [1.5, ∞) ulp
function ulp(v) {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}
for (let b = 0x80000000; ; ) {
  let n = 0;
  for (; n < CHUNK; n++, b++) {
    bits[n] = b;
    if (!(xs[n] >= lo)) break;
  }
  expKernel(n === CHUNK ? xs : xs.subarray(0, n), ys);
  for (let i = 0; i < n; i++) {
    const ref = Math.exp(xs[i]);
    const err = Math.abs(ys[i] - ref) / ulp(ref);
    hist[err < 0.5 ? 0 : err < 1 ? 1 : err < 1.5 ? 2 : 3]++;
    if (err > max) {
      max = err;
      at = xs[i];
    }
  }
  count += n;
  if (n < CHUNK) break;
}
console.log(
  `exp kernel vs float64 over all ${count} float32 in [${lo}, 0]: max ${max.toFixed(4)} ulp at x = ${at}; ` +
    `< 0.5 ulp: ${hist[0]}, [0.5, 1): ${hist[1]}, [1, 1.5): ${hist[2]}, >= 1.5: ${hist[3]}`,
);
