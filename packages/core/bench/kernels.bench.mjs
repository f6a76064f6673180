// Kernels benchmark (issue 9): the WebAssembly SIMD kernels behind @logitstream/core against the plain
// JavaScript loops most code uses and against transformers.js, at V = 128,256, one row, one thread.
//
// Run: pnpm --filter @logitstream/core bench   (builds first; or `node bench/kernels.bench.mjs` after a build)
// Harness: every case is checked against a float64 reference, warmed up (>= 150 ms), then measured in
// RUNS interleaved rounds (A, B, C, ... per round, so clock swings hit all cases alike), each round a
// loop sized to ~30 ms. Reported: median ns/element of this process's CPU time (robust to the other
// processes sharing the 2 cores) and of wall time; ratios are computed within this one run.
// Issue 20: the friendly `softmax(row)` / `logSoftmax(row)` (a new array per call) beside the strided form
// into a reused buffer (ratio = median of the per-round ratios), and PyTorch CPU on one thread in a child
// process timed in the same rounds (bench/torchReference.mjs; left out, and said so, without torch) — twice:
// as it runs here (its AVX2 kernels) and on its portable kernels (ATEN_CPU_CAPABILITY=default), which
// shows how much of its lead is the instruction set (eight lanes and FMA) rather than the algorithm.
import { resourceUsage } from "node:process";
import { log_softmax as tjsLogSoftmax, softmax as tjsSoftmax } from "@huggingface/transformers";
import {
  interleave,
  loadAverage,
  makeLogits,
  median,
  runsFromArgs,
  sink,
  tableHeader,
  tableRow,
  timeLoop,
  warmUp,
} from "../../../scripts/benchHarness.mjs";
import {
  createSampler,
  kernelBackend,
  logSoftmax,
  logSoftmaxStrided,
  logSumExpStrided,
  scoreHalfRow,
  softmax,
  softmaxStrided,
  topPNucleus,
} from "../dist/index.js";
import { startTorch } from "./torchReference.mjs";

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
      softmaxStrided({ data: x, offset: 0, length: V, out });
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
      logSoftmaxStrided({ data: x, offset: 0, length: V, out });
      return out;
    },
  },
  { op: "log-softmax", impl: "plain JS (Math.exp)", fn: () => plainLogSoftmax(x, out) },
  { op: "log-softmax", impl: "transformers.js log_softmax", fn: () => tjsLogSoftmax(x) },
  {
    op: "log-sum-exp",
    impl: "logitstream logSumExpStrided",
    ours: true,
    fn: () => [logSumExpStrided({ data: x, offset: 0, length: V })],
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
  softmaxStrided({ data: x, offset: 0, length: V, out });
  let worst = 0;
  for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i] / z) / (ref[i] / z));
  const lseErr = Math.abs(logSumExpStrided({ data: x, offset: 0, length: V }) - (m + Math.log(z)));
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

/** Median over the rounds of a.cpu[r] / b.cpu[r] (both timed in round r). */
const pairedRatio = (a, b) => median(a.cpu.map((v, i) => v / b.cpu[i]));

// ---- issue 20 item 1: the friendly fn(row) against the strided form into a reused buffer ----
// Timed before, and apart from, the table below, in two regimes. That table forces a full GC before every
// round; after one, the C allocator has handed the freed output buffers back to the kernel, so every
// new 512 KB output is fresh pages again (~40–85 faults per call here) until V8's own young-generation
// collections recycle them: that is a bench artifact, not what an application in a loop sees. So: A
// and B alternate in rounds with no forced GC (steady state, as a loop in an application runs), and
// then with a forced full GC before each round, as in that table.
/** The strided form into the reused `out`. */
function stridedInto(f) {
  f({ data: x, offset: 0, length: V, out });
  return out;
}
const friendlyPairs = [
  ["softmax", () => softmax(x), () => stridedInto(softmaxStrided)],
  ["log-softmax", () => logSoftmax(x), () => stridedInto(logSoftmaxStrided)],
];
console.log(
  `fn(row) (a new Float32Array per call) against the strided form, ${RUNS} rounds of ~${ROUND_MS} ms each:`,
);
console.log("");
tableHeader(
  [
    "op",
    "regime",
    "fn(row) ns/el (CPU)",
    "strided ns/el (CPU)",
    "fn(row) / strided (per-round median)",
    "page faults per fn(row) call",
  ],
  "llrrrr",
);
for (const forceGc of [false, true]) {
  for (const [op, friendlyFn, stridedFn] of friendlyPairs) {
    // A longer warm-up for fn(row): the first few hundred 512 KB allocations of a process come as
    // fresh pages (~60–100 faults per call) until the allocator reuses freed ones.
    const a = {
      fn: friendlyFn,
      iters: warmUp(friendlyFn, ROUND_MS, { minMs: forceGc ? 150 : 1500 }),
      cpu: [],
    };
    const b = { fn: stridedFn, iters: warmUp(stridedFn, ROUND_MS), cpu: [] };
    const faults0 = resourceUsage().minorPageFault;
    let calls = 0;
    for (let r = 0; r < RUNS; r++) {
      for (const c of r % 2 === 0 ? [a, b] : [b, a]) {
        if (forceGc) globalThis.gc?.();
        c.cpu.push((timeLoop(c.fn, c.iters)[1] * 1e6) / (c.iters * V));
        if (c === a) calls += c.iters;
      }
    }
    // Faults of both cases' rounds, charged to fn(row): the strided form faults no page.
    const faultsPerCall = ((resourceUsage().minorPageFault - faults0) / calls).toFixed(1);
    const regime = forceGc
      ? globalThis.gc
        ? "full GC forced before each round"
        : "(run with --expose-gc)"
      : "steady state, no forced GC";
    console.log(
      tableRow([
        op,
        regime,
        median(a.cpu).toFixed(2),
        median(b.cpu).toFixed(2),
        pairedRatio(a, b).toFixed(2),
        faultsPerCall,
      ]),
    );
  }
}
console.log("");
// ---- timing ----
for (const c of cases) c.iters = warmUp(c.fn, ROUND_MS);
const torch = await startTorch(x, ROUND_MS);
// The same PyTorch on its portable kernels (no AVX2, no FMA): how much of its lead is the instruction set.
const torchPortable = torch.absent ? torch : await startTorch(x, ROUND_MS, "default");
const TORCH_OPS = [
  ["log-softmax", "log-softmax", "torch.log_softmax(x, 0, out=) (reused out)"],
  ["log-softmax", "log-softmax fresh", "torch.log_softmax(x, 0) (a new tensor per call)"],
  ["softmax", "softmax", "torch.softmax(x, 0, out=) (reused out)"],
  ["softmax", "softmax fresh", "torch.softmax(x, 0) (a new tensor per call)"],
];
const torchRuns = [
  { child: torch, label: "", ops: TORCH_OPS },
  {
    child: torchPortable,
    label: ", portable kernels (ATEN_CPU_CAPABILITY=default: no AVX2, no FMA)",
    ops: TORCH_OPS.filter(([, key]) => !key.endsWith("fresh")),
  },
].filter((t) => !t.child.absent);
for (const t of torchRuns) {
  t.cases = t.ops.map(([op, key, what]) => ({
    op,
    key,
    impl: `PyTorch ${t.child.version} CPU, 1 thread${t.label}: ${what}`,
    cpu: [],
    wall: [],
  }));
}
const torchCases = torchRuns.flatMap((t) => t.cases);
for (const c of cases) {
  c.cpu = [];
  c.wall = [];
}
for (let r = 0; r < RUNS; r++) {
  // One round of every case (interleave resets its arrays, so each round is kept here), then torch's.
  interleave(cases, 1, V);
  for (const c of cases) {
    c.allCpu = [...(c.allCpu ?? []), c.cpu[0]];
    c.allWall = [...(c.allWall ?? []), c.wall[0]];
  }
  for (const run of torchRuns) {
    const t = await run.child.round();
    for (const c of run.cases) {
      c.cpu.push(t[c.key][0]);
      c.wall.push(t[c.key][1]);
    }
  }
}
torch.stop?.();
torchPortable.stop?.();
for (const c of cases) {
  c.cpu = c.allCpu;
  c.wall = c.allWall;
}
const ours = {};
for (const c of [...cases, ...torchCases]) {
  c.ns = median(c.cpu);
  c.wallNs = median(c.wall);
  if (c.ours) ours[c.op] = c;
}

console.log(
  `kernels (backend ${kernelBackend()}), node ${process.version}, V = ${V.toLocaleString("en-US")}, one row in cache, ` +
    `one thread; ${RUNS} interleaved rounds of ~${ROUND_MS} ms; median ns/element (CPU time of this process, and wall); ` +
    `load average ${loadAverage()}.`,
);
console.log(
  torch.absent
    ? `PyTorch: not measured (${torch.absent}); install python3-torch or set LOGITSTREAM_TORCH_PYTHON.`
    : `PyTorch ${torch.version}: a child process timing the same row in the same rounds (its CPU time).`,
);
console.log("");
tableHeader(["op", "implementation", "ns/el (CPU)", "ns/el (wall)", "speed-up of ours (CPU)"], "llrrr");
const rows = [...cases];
for (const t of torchCases) rows.splice(rows.findLastIndex((c) => c.op === t.op) + 1, 0, t);
for (const c of rows) {
  const base = ours[c.op];
  const ratio = c.ours ? "—" : `${(c.ns / base.ns).toFixed(2)}×`;
  console.log(tableRow([c.op, c.impl, c.ns.toFixed(2), c.wallNs.toFixed(2), ratio]));
}
console.log("");
console.log("Per-round ratios (median of the rounds' ratios, CPU time):");
for (const run of torchRuns) {
  for (const t of run.cases.filter((k) => !k.key.endsWith("fresh"))) {
    const target = run.child === torch ? " (target ≤ 1)" : "";
    console.log(
      `- ${t.op}: ours strided / PyTorch${run.label} out= = ${pairedRatio(ours[t.op], t).toFixed(2)}${target}`,
    );
  }
}
console.log("");

console.log(`checksum ${sink.toPrecision(6)}`);
