// Rows per second for score and sample at V = 128,256: inline on the calling thread, and through the pool
// with 1 and 2 threads (promise form, split over the threads, and streaming form, 16-row batches), on
// the same input in one run. Repetitions are interleaved (inline, 1, 2, inline, 1, 2, …) so clock and
// neighbour-load swings hit every configuration alike; medians are reported.

import { frameChunks } from "@logitstream/wire";
import { loadAverage, wallAndCpu } from "../../../scripts/benchHarness.mjs";
import { createPool } from "../dist/index.js";
import { consume, fmt, machine, mainThreadCpuSeconds, makeRows, median, targetsFor, V } from "./common.mjs";

const ROWS = Number(process.env.ROWS ?? 192);
const REPS = Number(process.env.REPS ?? 3);
const data = makeRows(ROWS);
const targets = targetsFor(ROWS);
const params = { temperature: 0.8, topP: 0.9, seed: 7 };
const fresh = () => ({ data, rows: ROWS, vocab: V, targets });
// The same rows already on a SharedArrayBuffer: the pool reads them in place, no staging copy.
const shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
shared.set(data);

function* stream(batchRows, from = data) {
  for (let first = 0; first < ROWS; first += batchRows) {
    const rows = Math.min(batchRows, ROWS - first);
    yield {
      firstRow: first,
      rows,
      vocab: V,
      data: from.subarray(first * V, (first + rows) * V),
      targets: targets.subarray(first, first + rows),
    };
  }
}

// The same rows as raw float32 bytes arriving in 64 KiB reads (a pipe), cut by wire's frameChunks into
// 16-row chunks — the CLI's path. With `alloc: pool.allocBytes` the chunks are cut straight into the
// pool's shared slabs; without it each chunk is copied into a slab before dispatch.
const rawBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
function* pieces() {
  for (let at = 0; at < rawBytes.length; at += 65536) yield rawBytes.subarray(at, at + 65536);
}
const chunkOpts = { format: "f32", vocab: V, maxBatchRows: 16, maxChunkBytes: 16 * V * 4 };
const byTargets = { targets: (first, rows) => targets.subarray(first, first + rows) };

const pools = {
  inline: createPool({ threads: 1, inlineThreshold: Number.POSITIVE_INFINITY }),
  "1 thread": createPool({ threads: 1, inlineThreshold: 0 }),
  "2 threads": createPool({ threads: 2, inlineThreshold: 0 }),
};

const allOps = {
  "score (promise)": (p) => p.score(fresh()).then((r) => consume(r.logprobs)),
  "score (promise, input on a SharedArrayBuffer)": (p) =>
    p.score({ data: shared, rows: ROWS, vocab: V, targets }).then((r) => consume(r.logprobs)),
  "score (stream, 16-row batches)": async (p) => {
    for await (const r of p.run(stream(16), { kind: "score" })) consume(r.logprobs);
  },
  "score (stream, 16-row batches on a SharedArrayBuffer)": async (p) => {
    for await (const r of p.run(stream(16, shared), { kind: "score" })) consume(r.logprobs);
  },
  "score (f32 bytes, frameChunks 16-row chunks, staged)": async (p) => {
    for await (const r of p.run(frameChunks(pieces(), chunkOpts), { kind: "score" }, byTargets))
      consume(r.logprobs);
  },
  "score (f32 bytes, frameChunks 16-row chunks, cut into pool memory)": async (p) => {
    const chunks = frameChunks(pieces(), { ...chunkOpts, alloc: p.allocBytes });
    for await (const r of p.run(chunks, { kind: "score" }, byTargets)) consume(r.logprobs);
  },
  "sample T0.8 top-p 0.9 (promise)": (p) => p.sample(fresh(), params).then((r) => consume(r.logprobs)),
  "sample T0.8 top-p 0.9 (promise, input on a SharedArrayBuffer)": (p) =>
    p.sample({ data: shared, rows: ROWS, vocab: V }, params).then((r) => consume(r.logprobs)),
  "sample T0.8 top-p 0.9 (stream, 16-row batches)": async (p) => {
    for await (const r of p.run(stream(16), { kind: "sample", params })) consume(r.logprobs);
  },
};

// OPS=regex runs only the ops whose name matches.
const only = process.env.OPS === undefined ? undefined : new RegExp(process.env.OPS);
const ops = Object.fromEntries(
  Object.entries(allOps).filter(([name]) => only === undefined || only.test(name)),
);

// Warm every pool (threads started, JIT warm) before timing.
for (const p of Object.values(pools)) {
  await p.score({ data: data.subarray(0, 32 * V), rows: 32, vocab: V, targets });
  await p.sample({ data: data.subarray(0, 32 * V), rows: 32, vocab: V }, params);
}

console.log(`pool throughput — V = ${fmt(V)}, ${ROWS} rows, ${REPS} interleaved reps, ${machine()}`);
console.log(`load average at start: ${loadAverage()} (other processes share the cores)`);
console.log(
  "| op | config | rows/s | ns/element (wall) | vs inline | vs 1 thread | cores used (CPU s / wall s) | CPU ns/element | main-thread share of CPU |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
const projections = [];
const scalings = [];
for (const [name, op] of Object.entries(ops)) {
  const times = Object.fromEntries(Object.keys(pools).map((k) => [k, []]));
  const cores = Object.fromEntries(Object.keys(pools).map((k) => [k, []]));
  const cpuS = Object.fromEntries(Object.keys(pools).map((k) => [k, 0]));
  const mainS = Object.fromEntries(Object.keys(pools).map((k) => [k, 0]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [k, p] of Object.entries(pools)) {
      const m = await wallAndCpu(() => op(p), mainThreadCpuSeconds);
      mainS[k] += m.mainS;
      cpuS[k] += m.cpuS;
      times[k].push(m.wall);
      cores[k].push((m.cpuS * 1000) / m.wall);
    }
  }
  const med = Object.fromEntries(Object.entries(times).map(([k, ts]) => [k, median(ts)]));
  for (const k of Object.keys(pools)) {
    const rowsPerS = ROWS / (med[k] / 1000);
    const nsPerEl = (med[k] * 1e6) / (ROWS * V);
    console.log(
      `| ${name} | ${k} | ${fmt(rowsPerS)} | ${fmt(nsPerEl, 2)} | ${fmt(med.inline / med[k], 2)}× | ${fmt(med["1 thread"] / med[k], 2)}× | ${fmt(median(cores[k]), 2)} | ${fmt(nsPerEl * median(cores[k]), 1)} | ${fmt((100 * mainS[k]) / cpuS[k], 0)} % |`,
    );
  }
  // Each rep runs 1 and 2 threads back to back, so their ratio within a rep cancels slow drifts of the
  // machine's speed (a neighbour's load, the clock); the spread of these ratios is the run's noise.
  const ratios = times["1 thread"].map((t, i) => t / times["2 threads"][i]).sort((a, b) => a - b);
  scalings.push(
    `${name}: 2 vs 1 thread, per-rep ratios median ${fmt(median(ratios), 2)}× (${ratios.map((r) => fmt(r, 2)).join(", ")})`,
  );
  // Projection from CPU accounting, not a measurement: with both cores free, 1 worker runs at its CPU time
  // (the main thread overlaps it), 2 workers + main share 2 cores: wall ≈ max(total CPU / 2, main CPU).
  const w1 = cpuS["1 thread"] - mainS["1 thread"];
  const two = Math.max(cpuS["2 threads"] / 2, mainS["2 threads"]);
  projections.push(`${name}: projected 2 vs 1 thread on free cores ≈ ${fmt(w1 / two, 2)}×`);
}
for (const line of scalings) console.log(line);
for (const line of projections) console.log(line);
await Promise.all(Object.values(pools).map((p) => p.close()));
