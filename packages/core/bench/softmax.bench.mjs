// Softmax family benchmark: @logitstream/core softmax / log-softmax against the plain three-pass
// JavaScript softmax most code uses and against transformers.js's `softmax` / `log_softmax`, at
// V = 32,000, 128,256 and 262,144 (one row, in cache), in one process; plus scoring (target
// log-probability) and top-40 log-probabilities against their plain-JS equivalents.
//
// Run: pnpm --filter @logitstream/core build && pnpm --filter @logitstream/core bench
//      (or `node bench/softmax.bench.mjs [--runs 9]` from packages/core after a build).
// Harness: for each V, every case is warmed up, then measured in `runs` interleaved rounds (case A,
// B, C, … per round, so clock swings hit all cases alike); a round times a loop sized to ~40 ms.
// We report the median ns/element and the ratio to ours. Results are consumed into a checksum so the
// JIT cannot drop work. Outputs are checked against a float64 reference before timing.
import { log_softmax as tjsLogSoftmax, softmax as tjsSoftmax } from "@huggingface/transformers";
import {
  interleave,
  makeLogits,
  median,
  runsFromArgs,
  sink,
  warmUp,
} from "../../../scripts/benchHarness.mjs";
import { logSoftmaxStrided, scoreBatch, softmaxStrided, topLogprobs } from "../dist/index.js";

const RUNS = runsFromArgs(11);
const VOCABS = [32_000, 128_256, 262_144];
const ROUND_MS = 30;

/** The plain JavaScript most code uses: max, exp into out, sum, divide (Math.exp, one accumulator). */
function plainSoftmax(x, out) {
  const n = x.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Plain JavaScript log-softmax: max, sum of exp, one write pass. */
function plainLogSoftmax(x, out) {
  const n = x.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[i] - max);
  const logSum = Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = x[i] - max - logSum;
  return out;
}

/** Plain JavaScript target log-probability: log-sum-exp with Math.exp, then gather. */
function plainTargetLogprob(x, target) {
  const n = x.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[i] - max);
  return x[target] - max - Math.log(sum);
}

/** Plain JavaScript top-N: full sort of the indices by logit, as most code does. */
function plainTopN(x, n) {
  const ids = Array.from({ length: x.length }, (_, i) => i);
  ids.sort((a, b) => x[b] - x[a] || a - b);
  return ids.slice(0, n);
}

function maxRelError(got, x, log) {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const lp = x[i] - max - Math.log(sum);
    const want = log ? lp : Math.exp(lp);
    const err = Math.abs(got[i] - want) / Math.max(Math.abs(want), log ? 1 : 1e-30);
    if (err > worst) worst = err;
  }
  return worst;
}

function cases(x, out) {
  const v = x.length;
  const target = Int32Array.of(v >> 1);
  const topIds = new Int32Array(40);
  const topLps = new Float64Array(40);
  return [
    {
      op: "softmax",
      impl: "logitstream softmaxStrided",
      log: false,
      fn: () => {
        softmaxStrided({ data: x, offset: 0, length: v, out });
        return out;
      },
    },
    { op: "softmax", impl: "plain JS 3-pass (Math.exp)", log: false, fn: () => plainSoftmax(x, out) },
    { op: "softmax", impl: "transformers.js softmax", log: false, fn: () => tjsSoftmax(x) },
    {
      op: "log-softmax",
      impl: "logitstream logSoftmaxStrided",
      log: true,
      fn: () => {
        logSoftmaxStrided({ data: x, offset: 0, length: v, out });
        return out;
      },
    },
    { op: "log-softmax", impl: "plain JS (Math.exp)", log: true, fn: () => plainLogSoftmax(x, out) },
    { op: "log-softmax", impl: "transformers.js log_softmax", log: true, fn: () => tjsLogSoftmax(x) },
    {
      op: "target logprob",
      impl: "logitstream scoreBatch (+ rank, entropy)",
      fn: () => scoreBatch(x, 1, v, target).logprobs,
    },
    {
      op: "target logprob",
      impl: "plain JS log-sum-exp + gather",
      fn: () => [plainTargetLogprob(x, target[0])],
    },
    {
      op: "top-40 logprobs",
      impl: "logitstream topLogprobs (heap)",
      fn: () => {
        topLogprobs({ data: x, offset: 0, length: v, n: 40, outIds: topIds, outLogprobs: topLps });
        return topLps;
      },
    },
    { op: "top-40 logprobs", impl: "plain JS full index sort", fn: () => plainTopN(x, 40) },
  ];
}

const rows = [];
for (const v of VOCABS) {
  const x = makeLogits(v, 0x9e3779b9 ^ v);
  const out = new Float32Array(v);
  const cs = cases(x, out);
  for (const c of cs) {
    c.error = c.log === undefined ? Number.NaN : maxRelError(c.fn(), x, c.log);
    // warm-up: ~150 ms or at least 5 calls, and size the timed loop to ~ROUND_MS
    c.iters = warmUp(c.fn, ROUND_MS);
  }
  interleave(cs, RUNS, v);
  const base = {};
  for (const c of cs) {
    c.ns = median(c.cpu);
    c.wallNs = median(c.wall);
    if (c.impl.startsWith("logitstream")) base[c.op] = c.ns;
  }
  for (const c of cs)
    rows.push({
      v,
      op: c.op,
      impl: c.impl,
      ns: c.ns,
      wallNs: c.wallNs,
      ratio: c.ns / base[c.op],
      error: c.error,
    });
}

console.log(
  `softmax family, node ${process.version}, ${RUNS} interleaved rounds of ~${ROUND_MS} ms, median ns/element ` +
    "(one row, in cache). CPU = this process's CPU time (robust to other processes on the cores); wall = elapsed.",
);
console.log("");
console.log(
  "| V | op | implementation | ns/el (CPU) | × ours (CPU) | ns/el (wall) | max rel. error vs float64 |",
);
console.log("|---:|---|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.v.toLocaleString("en-US")} | ${r.op} | ${r.impl} | ${r.ns.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.wallNs.toFixed(2)} | ${Number.isNaN(r.error) ? "—" : r.error.toExponential(1)} |`,
  );
}
console.log("");
console.log(`checksum ${sink.toPrecision(6)}`);
