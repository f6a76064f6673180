// Fixed costs of the pool, and the inline threshold they imply:
// - first-task latency: createPool + one 1-row score task (worker start-up, import, compute), cold;
// - warm per-task round trip: a 1-row task of V = 16 (compute ≈ 0) sent to a warm pool, one at a time;
// - warm task rate with many tiny tasks in flight (2 threads);
// - inline cost of one V = 128,256 row (score, sample) on the calling thread.
// Break-even for splitting E elements over T threads instead of running inline:
//   E·c ≥ overhead + E·c/T  ⇔  E ≥ overhead / (c·(1 − 1/T)).
import { loadAverage } from "../../../scripts/benchHarness.mjs";
import { createPool } from "../dist/index.js";
import { consume, fmt, machine, makeRows, median, now, targetsFor, V } from "./common.mjs";

const REPS = Number(process.env.REPS ?? 5);
console.log(`pool fixed costs — ${machine()}; load average ${loadAverage()}`);

const row = makeRows(1);
const tiny = makeRows(1, 16);
const t1 = targetsFor(1);
const params = { temperature: 0.8, topP: 0.9, seed: 7 };

// First-task latency, cold (a fresh pool each time; the module graph of the main thread is warm).
const cold = { 1: [], 2: [] };
for (let rep = 0; rep < REPS; rep++) {
  for (const threads of [1, 2]) {
    const t0 = now();
    const p = createPool({ threads, inlineThreshold: 0 });
    const r = await p.score({ data: row, rows: 1, vocab: V, targets: t1 });
    cold[threads].push(now() - t0);
    consume(r.logprobs);
    await p.destroy();
  }
}

// Warm round trip, sequential.
const warm = createPool({ threads: 2, inlineThreshold: 0 });
for (let i = 0; i < 200; i++) consume((await warm.score({ data: tiny, rows: 1, vocab: 16 })).entropies);
const seq = [];
for (let rep = 0; rep < REPS; rep++) {
  const n = 2000;
  const t0 = now();
  for (let i = 0; i < n; i++) consume((await warm.score({ data: tiny, rows: 1, vocab: 16 })).entropies);
  seq.push(((now() - t0) * 1000) / n);
}
// Warm task rate, many in flight.
const par = [];
for (let rep = 0; rep < REPS; rep++) {
  const n = 4000;
  const t0 = now();
  const all = [];
  for (let i = 0; i < n; i++) all.push(warm.score({ data: tiny, rows: 1, vocab: 16 }));
  for (const r of await Promise.all(all)) consume(r.entropies);
  par.push(((now() - t0) * 1000) / n);
}
await warm.close();

// Inline cost per row.
const inline = createPool({ threads: 1, inlineThreshold: Number.POSITIVE_INFINITY });
for (let i = 0; i < 20; i++)
  consume((await inline.score({ data: row, rows: 1, vocab: V, targets: t1 })).logprobs);
for (let i = 0; i < 20; i++)
  consume((await inline.sample({ data: row, rows: 1, vocab: V }, params)).logprobs);
const scoreRow = [];
const sampleRow = [];
for (let rep = 0; rep < REPS; rep++) {
  let t0 = now();
  for (let i = 0; i < 20; i++)
    consume((await inline.score({ data: row, rows: 1, vocab: V, targets: t1 })).logprobs);
  scoreRow.push(((now() - t0) * 1000) / 20);
  t0 = now();
  for (let i = 0; i < 20; i++)
    consume((await inline.sample({ data: row, rows: 1, vocab: V }, params)).logprobs);
  sampleRow.push(((now() - t0) * 1000) / 20);
}

const coldMs = Math.min(median(cold[1]), median(cold[2]));
const seqUs = median(seq);
const scoreUs = median(scoreRow);
const sampleUs = median(sampleRow);
const cScore = (scoreUs * 1000) / V; // ns per element
const breakEven = (overheadUs, c, T) => (overheadUs * 1000) / (c * (1 - 1 / T));
console.log("| quantity | median |");
console.log("|---|---:|");
console.log(
  `| first-task latency, 1 thread (start + 1 row V=128,256 score) | ${fmt(median(cold[1]), 1)} ms |`,
);
console.log(`| first-task latency, 2 threads | ${fmt(median(cold[2]), 1)} ms |`);
console.log(`| warm round trip per task, sequential (1 row, V=16) | ${fmt(seqUs, 1)} µs |`);
console.log(`| warm cost per task, 4000 in flight on 2 threads | ${fmt(median(par), 1)} µs |`);
console.log(`| inline score, one V=128,256 row | ${fmt(scoreUs, 0)} µs (${fmt(cScore, 2)} ns/element) |`);
console.log(`| inline sample T0.8 top-p 0.9, one V=128,256 row | ${fmt(sampleUs, 0)} µs |`);
console.log(
  `| break-even, cold pool, 2 threads (score) | ${fmt(breakEven(coldMs * 1000, cScore, 2))} elements = ${fmt(breakEven(coldMs * 1000, cScore, 2) / V, 1)} rows of 128,256 |`,
);
console.log(
  `| break-even, warm pool, 2 threads (score) | ${fmt(breakEven(seqUs, cScore, 2))} elements = ${fmt(breakEven(seqUs, cScore, 2) / V, 2)} rows of 128,256 |`,
);
