// Model-comparison benchmark: @logitstream/core's compareRowsStrided (KL(base ‖ new), both top-1 tokens,
// the target's Δp) through its WebAssembly SIMD pass and through its JavaScript twin (the path of engines
// without SIMD; same bits), against the index-order JavaScript loop it replaced (two portableExp per
// element, checkRow and argmax passes: the code before the SIMD pass) and against the plain JavaScript a
// user would write (Math.exp softmax of each row, then Σ p ln(p/q), argmax of each, the target's
// probabilities), per row pair, at V = 32,000, 128,256 and 262,144 (one pair in cache), in one process.
// Figures are ns per element of ONE row (a pair reads 2 V).
//
// Run: pnpm --filter @logitstream/core build && node --expose-gc bench/compare.bench.mjs [--runs 7]  (from packages/core)
// Harness: warm-up, then `runs` interleaved rounds of ~40 ms each; medians of CPU ns per element.
import {
  interleave,
  loadAverage,
  makeLogits,
  median,
  runsFromArgs,
  sink,
  tableHeader,
  tableRow,
  warmUp,
} from "../../../scripts/benchHarness.mjs";
// All of core from dist/internal.js (the package's index and the internals it does not export, in one
// self-contained bundle): the backend set here is the one compareRowsStrided reads.
import {
  argmaxStrided,
  checkRow,
  compareRowsStrided,
  portableExp,
  portableLog,
  setCompareRowsBackend,
} from "../dist/internal.js";

const RUNS = runsFromArgs(7);
const VOCABS = [32_000, 128_256, 262_144];
const ROUND_MS = 40;

/** Plain JavaScript: two softmaxes with Math.exp into reused buffers, KL from the probabilities, argmaxes. */
function makePlain(v) {
  const p = new Float64Array(v);
  const q = new Float64Array(v);
  const softmax = (x, out) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < v; i++) if (x[i] > max) max = x[i];
    let s = 0;
    for (let i = 0; i < v; i++) {
      const e = Math.exp(x[i] - max);
      out[i] = e;
      s += e;
    }
    for (let i = 0; i < v; i++) out[i] /= s;
  };
  const argmax = (x) => {
    let best = 0;
    for (let i = 1; i < v; i++) if (x[i] > x[best]) best = i;
    return best;
  };
  return (a, b, target) => {
    softmax(a, p);
    softmax(b, q);
    let kl = 0;
    for (let i = 0; i < v; i++) if (p[i] > 0) kl += p[i] * Math.log(p[i] / q[i]);
    return [kl, argmax(a), argmax(b), q[target] - p[target]];
  };
}

/** The JavaScript pass compareRowsStrided ran before its SIMD pass (float64 sums in index order). */
function indexOrder(b, n, v, target) {
  const maxB = checkRow(b, 0, v, -1);
  const maxN = checkRow(n, 0, v, -1);
  let sumB = 0;
  let sumN = 0;
  let cross = 0;
  let bannedInNew = false;
  for (let i = 0; i < v; i++) {
    const x = b[i] - maxB;
    const y = n[i] - maxN;
    const eb = portableExp(x);
    sumN += portableExp(y);
    if (eb === 0) continue;
    sumB += eb;
    if (y === Number.NEGATIVE_INFINITY) bannedInNew = true;
    else cross += eb * (x - y);
  }
  const logSumB = portableLog(sumB);
  const logSumN = portableLog(sumN);
  const kl = bannedInNew ? Number.POSITIVE_INFINITY : Math.max(cross / sumB - logSumB + logSumN, 0);
  const pBase = portableExp(b[target] - maxB - logSumB);
  const pNew = portableExp(n[target] - maxN - logSumN);
  return [kl, argmaxStrided(b, 0, v, maxB), argmaxStrided(n, 0, v, maxN), pNew - pBase];
}

console.log(`# compareRowsStrided vs plain JavaScript (load average ${loadAverage()})\n`);
tableHeader(
  [
    "V",
    "SIMD ns/el",
    "JS twin ns/el",
    "index-order JS (before) ns/el",
    "plain JS ns/el",
    "before / SIMD",
    "JS twin / SIMD",
    "plain / SIMD",
  ],
  "rrrrrrrr",
);
for (const v of VOCABS) {
  const a = makeLogits(v, 11);
  const b = makeLogits(v, 11);
  for (let i = 0; i < v; i++) b[i] += 0.1 * Math.sin(i); // a close "quantized" model
  const target = 123;
  const plain = makePlain(v);
  const view = (data) => ({ data, offset: 0, length: v });
  const ours = () => {
    const c = compareRowsStrided(view(a), view(b), { target });
    return [c.kl, c.top1Base, c.dp];
  };
  // The backend is set inside each timed call (a flag write), so the interleaved rounds switch it.
  const cases = [
    {
      name: "simd",
      fn: () => {
        setCompareRowsBackend("auto");
        return ours();
      },
    },
    {
      name: "twin",
      fn: () => {
        setCompareRowsBackend("js");
        return ours();
      },
    },
    { name: "before", fn: () => indexOrder(a, b, v, target) },
    { name: "plain", fn: () => plain(a, b, target) },
  ];
  for (const c of cases) c.iters = warmUp(c.fn, ROUND_MS);
  interleave(cases, RUNS, v);
  const [s, t, o, p] = cases.map((c) => median(c.cpu));
  const x = (r) => `${r.toFixed(2)}×`;
  console.log(
    tableRow([
      v.toLocaleString("en-US"),
      s.toFixed(2),
      t.toFixed(2),
      o.toFixed(2),
      p.toFixed(2),
      x(o / s),
      x(t / s),
      x(p / s),
    ]),
  );
}
console.log(`\n(checksum ${sink.toFixed(3)})`);
