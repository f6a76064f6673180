// Model-comparison benchmark: @logitstream/core's compareRowsStrided (KL(base ‖ new), both top-1 tokens,
// the target's Δp) against the plain JavaScript a user would write (Math.exp softmax of each row, then
// Σ p ln(p/q), argmax of each, the target's probabilities), per row pair, at V = 32,000, 128,256 and
// 262,144 (one pair in cache), in one process. Figures are ns per element of ONE row (a pair reads 2 V).
//
// Run: pnpm --filter @logitstream/core build && node bench/compare.bench.mjs [--runs 7]  (from packages/core)
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
import { compareRowsStrided } from "../dist/index.js";

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

console.log(`# compareRowsStrided vs plain JavaScript (load average ${loadAverage()})\n`);
tableHeader(["V", "ours ns/el", "plain JS ns/el", "plain / ours"], "rrrr");
for (const v of VOCABS) {
  const a = makeLogits(v, 11);
  const b = makeLogits(v, 11);
  for (let i = 0; i < v; i++) b[i] += 0.1 * Math.sin(i); // a close "quantized" model
  const target = 123;
  const plain = makePlain(v);
  const ours = () => {
    const c = compareRowsStrided(
      { data: a, offset: 0, length: v },
      { data: b, offset: 0, length: v },
      { target },
    );
    return [c.kl, c.top1Base, c.dp];
  };
  const theirs = () => plain(a, b, target);
  const cases = [
    { name: "ours", fn: ours },
    { name: "plain", fn: theirs },
  ];
  for (const c of cases) c.iters = warmUp(c.fn, ROUND_MS);
  interleave(cases, RUNS, v);
  const [o, p] = cases.map((c) => median(c.cpu));
  console.log(tableRow([v.toLocaleString("en-US"), o.toFixed(2), p.toFixed(2), `${(p / o).toFixed(2)}×`]));
}
console.log(`\n(checksum ${sink.toFixed(3)})`);
