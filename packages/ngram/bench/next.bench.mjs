// ms per NgramModel.next step at V = 100,277 and bytes allocated per step, side by side with
// (a) the memory-bandwidth floor: one pass writing the row from the precomputed unigram vector
//     (what every step must do at least), and
// (b) a plain JavaScript loop: the same distribution computed token by token with logProb.
// Run: `pnpm --filter @logitstream/ngram bench` (node --expose-gc bench/next.bench.mjs).
import { cpus } from "node:os";

const gc = globalThis.gc ?? (() => {});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// Start-up, as `generate` sees it in a fresh process: importing the package (which loads
// gpt-tokenizer's rank table), then the first loadModel() (file read + gunzip + decode + probabilities),
// then repeated loads (warm JIT). Wall time and CPU time: on a shared machine wall ≫ CPU means waiting.
function timed(f) {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const d = process.cpuUsage(c);
  return { r, wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
}
const ic = process.cpuUsage();
const it = performance.now();
const { BpeTokenizer, loadModel, trainModel } = await import("../dist/index.js");
const importWall = performance.now() - it;
const importCpu = (process.cpuUsage(ic).user + process.cpuUsage(ic).system) / 1000;
const first = timed(() => loadModel());
const loads = [];
const loadsCpu = [];
let model = first.r;
for (let k = 0; k < 6; k++) {
  const x = timed(() => loadModel());
  model = x.r;
  loads.push(x.wall);
  loadsCpu.push(x.cpu);
}
const V = model.vocabSize;
const tok = new BpeTokenizer();
const text =
  "The jury said it did find that many of Georgia's registration and election laws are outmoded or inadequate, " +
  "and often ambiguous. It recommended that Fulton legislators act to have these laws studied and revised to the end " +
  "of modernizing and improving them. The grand jury commented on a number of other topics, among them the Atlanta " +
  "and Fulton County purchasing departments which it said are well operated and follow generally accepted practices.";
const ids = [model.eosId, ...tok.encode(text)];
const contexts = [];
for (let i = 1; i < ids.length; i++) contexts.push(ids.slice(Math.max(0, i - 2), i));
// The heaviest contexts: tokens followed by the most distinct tokens in training.
const heavy = [" the", ",", ".", " of", " and"].map((w) => [model.eosId, ...tok.encode(w)].slice(-2));

let sink = 0;
function timeSteps(ctxs, rounds) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const c of ctxs) {
      const t = performance.now();
      const row = model.next(c);
      times.push(performance.now() - t);
      sink += row[c.length];
    }
  }
  return times;
}
timeSteps(contexts, 5); // warm-up (JIT)
const steps = timeSteps(contexts, 20);
const heavySteps = timeSteps(heavy, 100);

// Allocation per step: heap growth over many warmed-up steps with no collection in between. The loop
// lives in a function and keeps nothing, so the harness itself allocates nothing (checked by `idle`).
function stepMany(n) {
  for (let k = 0; k < n; k++) model.next(contexts[k % contexts.length]);
}
function idleMany(n) {
  for (let k = 0; k < n; k++) out0[k % 8] = contexts[k % contexts.length].length;
}
const out0 = new Float32Array(8);
const N = 5000;
let allocPerStep = 0;
let idlePerStep = 0;
for (let round = 0; round < 4; round++) {
  gc();
  let before = process.memoryUsage().heapUsed;
  stepMany(N);
  allocPerStep = (process.memoryUsage().heapUsed - before) / N;
  gc();
  before = process.memoryUsage().heapUsed;
  idleMany(N);
  idlePerStep = (process.memoryUsage().heapUsed - before) / N;
}

// (a) floor: write V floats from a precomputed vector.
const base = new Float32Array(V).fill(-11.5);
const out = new Float32Array(V);
const floor = [];
for (let r = 0; r < 2000; r++) {
  const t = performance.now();
  const s = Math.log(0.37);
  for (let w = 0; w < V; w++) out[w] = s + base[w];
  floor.push(performance.now() - t);
  sink += out[r % V];
}
// (b) plain loop: logProb for every token of the vocabulary.
const plain = [];
for (let r = 0; r < 6; r++) {
  const c = contexts[r];
  const t = performance.now();
  for (let w = 0; w < V; w++) out[w] = model.logProb(c, w);
  plain.push(performance.now() - t);
  sink += out[r];
}

const f = (x) => x.toFixed(3);
console.log(
  `# NgramModel.next — ${cpus()[0]?.model ?? "cpu"}, ${cpus().length} cores, Node ${process.version}`,
);
console.log(`import of the package (incl. gpt-tokenizer): ${f(importWall)} ms wall, ${f(importCpu)} ms CPU`);
console.log(
  `first loadModel() in the process: ${f(first.wall)} ms wall, ${f(first.cpu)} ms CPU; next ${loads.length} loads: median ${f(median(loads))} ms wall (min ${f(Math.min(...loads))}), median ${f(median(loadsCpu))} ms CPU`,
);
console.log("| step | median ms | p99 ms | max ms | vs floor |");
console.log("|---|---:|---:|---:|---:|");
console.log(
  `| next(), ${contexts.length} real-text contexts × 20 | ${f(median(steps))} | ${f(quantile(steps, 0.99))} | ${f(Math.max(...steps))} | ${(median(steps) / median(floor)).toFixed(1)}× |`,
);
console.log(
  `| next(), heaviest contexts (after " the", ",", ".", " of", " and") | ${f(median(heavySteps))} | ${f(quantile(heavySteps, 0.99))} | ${f(Math.max(...heavySteps))} | ${(median(heavySteps) / median(floor)).toFixed(1)}× |`,
);
console.log(
  `| floor: one pass writing V floats | ${f(median(floor))} | ${f(quantile(floor, 0.99))} | ${f(Math.max(...floor))} | 1.0× |`,
);
console.log(
  `| plain loop: logProb for each of V tokens | ${f(median(plain))} | ${f(quantile(plain, 0.99))} | ${f(Math.max(...plain))} | ${(median(plain) / median(floor)).toFixed(0)}× |`,
);
console.log(
  `heap growth per next() step over ${N} warmed-up steps without GC: ${allocPerStep.toFixed(2)} bytes (harness alone: ${idlePerStep.toFixed(2)} bytes; the row is reused)`,
);

// V sweep: the per-step cost is one O(V) pass plus O(followers); synthetic Zipf-like models (order 3,
// 300k-token stream from a fixed LCG) at V = 32k, 128k, 256k show how it scales with V.
console.log("\n| V (synthetic order-3 model) | median ms per next() | floor ms (one pass over V) |");
console.log("|---:|---:|---:|");
for (const sweepV of [32768, 131072, 262144]) {
  let state = 7;
  const stream = new Int32Array(300000);
  for (let i = 0; i < stream.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    stream[i] = Math.floor(sweepV * (state / 2 ** 32) ** 4);
  }
  const m = trainModel(stream, { order: 3, vocabSize: sweepV, eosId: 0 });
  const ctxs = [];
  for (let i = 2; i < 2000; i += 7) ctxs.push(stream.subarray(i - 2, i));
  const ts = [];
  for (let r = 0; r < 6; r++) {
    for (const c of ctxs) {
      const t = performance.now();
      sink += m.next(c)[0];
      if (r > 0) ts.push(performance.now() - t);
    }
  }
  const b = new Float32Array(sweepV).fill(-3);
  const o = new Float32Array(sweepV);
  const fl = [];
  for (let r = 0; r < 300; r++) {
    const t = performance.now();
    for (let w = 0; w < sweepV; w++) o[w] = 0.5 + b[w];
    fl.push(performance.now() - t);
    sink += o[r];
  }
  console.log(`| ${sweepV} | ${f(median(ts))} | ${f(median(fl))} |`);
}
if (Number.isNaN(sink)) console.log("(sink)");
