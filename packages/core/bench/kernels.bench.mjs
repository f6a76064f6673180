// Kernels benchmark (issue 9): the WebAssembly SIMD kernels behind @logitstream/core against the plain
// JavaScript loops most code uses and against transformers.js, at V = 128,256, one row, one thread.
//
// Run: pnpm --filter @logitstream/core bench   (builds first; or `node bench/kernels.bench.mjs` after a build)
// Harness: every case is checked against a float64 reference, warmed up (>= 150 ms), then measured in
// RUNS interleaved rounds (A, B, C, ... per round, so clock swings hit all cases alike), each round a
// loop sized to ~30 ms. Reported: median ns/element of this process's CPU time (robust to the other
// processes sharing the 2 cores) and of wall time; ratios are computed within this one run.
import { log_softmax as tjsLogSoftmax, softmax as tjsSoftmax } from "@huggingface/transformers";
import {
  interleave,
  makeLogits,
  median,
  runsFromArgs,
  sink,
  tableHeader,
  tableRow,
  warmUp,
} from "../../../scripts/benchHarness.mjs";
import {
  createSampler,
  kernelBackend,
  logSoftmaxStrided,
  logSumExpStrided,
  scoreHalfRow,
  softmaxStrided,
  topPNucleus,
} from "../dist/index.js";

const RUNS = runsFromArgs(11);
const V = 128_256;
const ROUND_MS = 30;

// ---- plain JavaScript baselines (what most code does) ----

function plainMax(x) {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  return max;
}
function plainSoftmax(x, out) {
  const max = plainMax(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.exp(x[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < x.length; i++) out[i] /= sum;
  return out;
}
function plainLogSoftmax(x, out) {
  const max = plainMax(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  const ls = Math.log(sum);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - max - ls;
  return out;
}
function plainLse(x) {
  const max = plainMax(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  return max + Math.log(sum);
}
/** top-p by a full index sort: softmax at T, sort all ids by probability, walk the prefix. */
function plainTopP(x, p, probs, ids) {
  plainSoftmax(x, probs);
  for (let i = 0; i < x.length; i++) ids[i] = i;
  ids.sort((a, b) => probs[b] - probs[a] || a - b);
  let cum = 0;
  let c = 0;
  while (c < ids.length) {
    cum += probs[ids[c++]];
    if (cum >= p) break;
  }
  return c;
}
/** float16 → float32 by a 65,536-entry table, then log-sum-exp, gather and rank in plain JS. */
const F16 = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const e = (h >> 10) & 31;
    const m = h & 1023;
    const s = h & 0x8000 ? -1 : 1;
    t[h] =
      e === 31 ? (m ? Number.NaN : s * Infinity) : s * (e ? 2 ** (e - 15) * (1 + m / 1024) : m * 2 ** -24);
  }
  return t;
})();
function plainScoreHalf(u16, target, row) {
  for (let i = 0; i < row.length; i++) row[i] = F16[u16[i]];
  const lse = plainLse(row);
  let greater = 0;
  const xt = row[target];
  for (let i = 0; i < row.length; i++) if (row[i] > xt) greater++;
  return [row[target] - lse, 1 + greater];
}

// ---- cases ----

const x = makeLogits(V, 0x9e3779b9 ^ V);
const out = new Float32Array(V);
const probs = new Float32Array(V);
const ids = new Int32Array(V);
const nucleus = new Int32Array(V);
const f16bytes = new Uint8Array(2 * V);
{
  const dv = new DataView(f16bytes.buffer);
  // float16 of the same logits (round to nearest via Math.fround is not f16: use the table inverse)
  for (let i = 0; i < V; i++) {
    const v = x[i];
    const s = v < 0 ? 0x8000 : 0;
    const a = Math.abs(v);
    let e = Math.floor(Math.log2(a));
    if (e < -14) e = -14;
    let m = Math.round((a / 2 ** e - 1) * 1024);
    if (a < 2 ** -14) m = Math.round(a / 2 ** -24);
    if (m === 1024) {
      m = 0;
      e++;
    }
    dv.setUint16(2 * i, a < 2 ** -14 ? s | m : s | ((e + 15) << 10) | m, true);
  }
}
const u16 = new Uint16Array(f16bytes.buffer);
const f16row = new Float32Array(V);
const target = V >> 1;

const stepParams = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 7 };
const sampler = createSampler(stepParams, { stream: 0 });

const cases = [
  {
    op: "softmax",
    impl: "logitstream softmaxStrided",
    ours: true,
    fn: () => {
      softmaxStrided(x, 0, V, out);
      return out;
    },
  },
  { op: "softmax", impl: "plain JS 3-pass (Math.exp)", fn: () => plainSoftmax(x, out) },
  { op: "softmax", impl: "transformers.js softmax", fn: () => tjsSoftmax(x) },
  {
    op: "log-softmax",
    impl: "logitstream logSoftmaxStrided",
    ours: true,
    fn: () => {
      logSoftmaxStrided(x, 0, V, out);
      return out;
    },
  },
  { op: "log-softmax", impl: "plain JS (Math.exp)", fn: () => plainLogSoftmax(x, out) },
  { op: "log-softmax", impl: "transformers.js log_softmax", fn: () => tjsLogSoftmax(x) },
  {
    op: "log-sum-exp",
    impl: "logitstream logSumExpStrided",
    ours: true,
    fn: () => [logSumExpStrided(x, 0, V)],
  },
  { op: "log-sum-exp", impl: "plain JS (Math.exp)", fn: () => [plainLse(x)] },
  {
    op: "log-sum-exp",
    impl: "transformers.js log_softmax (no LSE export; gather one)",
    fn: () => [tjsLogSoftmax(x)[0]],
  },
  {
    op: "sampling step",
    impl: "logitstream createSampler(T 0.8, top-k 40, top-p 0.95, min-p 0.05).sample(logprobs 5)",
    ours: true,
    fn: () => {
      const r = sampler.sample(x, { logprobs: 5 });
      return [r.token + r.logprob + r.topLogprobs[4].logprob];
    },
  },
  {
    op: "top-p 0.9",
    impl: "logitstream topPNucleus (histogram-free threshold search)",
    ours: true,
    fn: () => [topPNucleus(x, 0, V, 1, 0.9, nucleus)],
  },
  { op: "top-p 0.9", impl: "plain JS softmax + full index sort", fn: () => [plainTopP(x, 0.9, probs, ids)] },
  {
    op: "score (float16 row)",
    impl: "logitstream scoreHalfRow (decode + logprob + rank + entropy)",
    ours: true,
    fn: () => {
      const s = scoreHalfRow(f16bytes, 0, V, "f16", target);
      return [s.logprob + s.rank];
    },
  },
  {
    op: "score (float16 row)",
    impl: "plain JS (table decode + log-sum-exp + rank)",
    fn: () => plainScoreHalf(u16, target, f16row),
  },
];

// ---- correctness before timing ----
{
  const ref = new Float64Array(V);
  const m = plainMax(x);
  let z = 0;
  for (let i = 0; i < V; i++) z += ref[i] = Math.exp(x[i] - m);
  softmaxStrided(x, 0, V, out);
  let worst = 0;
  for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i] / z) / (ref[i] / z));
  const lseErr = Math.abs(logSumExpStrided(x, 0, V) - (m + Math.log(z)));
  const cOurs = topPNucleus(x, 0, V, 1, 0.9, nucleus);
  const cRef = plainTopP(x, 0.9, probs, ids);
  const s = scoreHalfRow(f16bytes, 0, V, "f16", target);
  const pr = plainScoreHalf(u16, target, f16row);
  console.log(
    `checks: softmax max rel err ${worst.toExponential(1)}, LSE abs err ${lseErr.toExponential(1)}, ` +
      `nucleus ${cOurs} vs full sort ${cRef}, score logprob diff ${Math.abs(s.logprob - pr[0]).toExponential(1)} ` +
      `rank ${s.rank} vs ${pr[1]}`,
  );
}

// ---- timing ----
for (const c of cases) c.iters = warmUp(c.fn, ROUND_MS);
interleave(cases, RUNS, V);
const ours = {};
for (const c of cases) {
  c.ns = median(c.cpu);
  c.wallNs = median(c.wall);
  if (c.ours) ours[c.op] = c;
}

console.log(
  `kernels (backend ${kernelBackend()}), node ${process.version}, V = ${V.toLocaleString("en-US")}, one row in cache, ` +
    `one thread; ${RUNS} interleaved rounds of ~${ROUND_MS} ms; median ns/element (CPU time of this process, and wall).`,
);
console.log("");
tableHeader(["op", "implementation", "ns/el (CPU)", "ns/el (wall)", "speed-up of ours (CPU)"], "llrrr");
for (const c of cases) {
  const base = ours[c.op];
  const ratio = c.ours ? "—" : `${(c.ns / base.ns).toFixed(1)}×`;
  console.log(tableRow([c.op, c.impl, c.ns.toFixed(2), c.wallNs.toFixed(2), ratio]));
}
console.log("");
console.log(`checksum ${sink.toPrecision(6)}`);
