// Sampling benchmark: @logitstream/core's sampler chain against the plain JavaScript most code uses
// (Math.exp softmax + a full sort of the indices), at V = 32,000, 128,256 and 262,144 (one row, in
// cache), in one process.
//
// Cases, each one token per call:
//   - default chain: temperature 0.8 → top-k 40 → top-p 0.95 → min-p 0.05 → dist
//   - plain top-p 0.9 (temperature 1) → dist
// Ours is `createSampler(params).sample(row)`: it also validates the row and reports the raw logprob
// (a full log-sum-exp pass) and the rank; the plain baselines compute neither.
//
// Run: pnpm --filter @logitstream/core build && node bench/sampling.bench.mjs [--runs 7]  (from packages/core)
// Harness: every case is warmed up, then measured in `runs` interleaved rounds (A, B, C, D per round, so
// clock swings hit all cases alike); a round times a loop sized to ~40 ms. Median ns/element and the
// ratio plain/ours. Tokens are consumed into a checksum so the JIT cannot drop work.
import {
  consume,
  loadAverage,
  makeLogits,
  median,
  runsFromArgs,
  sink,
  timeLoop,
} from "../../../scripts/benchHarness.mjs";
import { createSampler } from "../dist/index.js";

const RUNS = runsFromArgs(7);
const VOCABS = [32_000, 128_256, 262_144];
const ROUND_MS = 40;

/**
 * The sampler most JavaScript code has: temperature, Math.exp softmax, sort all indices by
 * probability, cut top-k / top-p / min-p, renormalize, inverse-CDF draw. Buffers are reused (kind to it).
 */
function makePlain(v, { temperature = 1, topK = 0, topP = 1, minP = 0 }) {
  const probs = new Float64Array(v);
  const idx = new Array(v);
  let u = 0.5;
  return (x) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < v; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = 0; i < v; i++) {
      const e = Math.exp((x[i] - max) / temperature);
      probs[i] = e;
      sum += e;
    }
    for (let i = 0; i < v; i++) probs[i] /= sum;
    for (let i = 0; i < v; i++) idx[i] = i;
    idx.sort((a, b) => probs[b] - probs[a] || a - b);
    let n = topK > 0 && topK < v ? topK : v;
    let total = 0;
    for (let i = 0; i < n; i++) total += probs[idx[i]];
    if (topP < 1) {
      let cum = 0;
      for (let i = 0; i < n; i++) {
        cum += probs[idx[i]] / total;
        if (cum >= topP) {
          n = i + 1;
          break;
        }
      }
    }
    if (minP > 0) {
      const thr = minP * probs[idx[0]];
      let m = 1;
      while (m < n && probs[idx[m]] >= thr) m++;
      n = m;
    }
    total = 0;
    for (let i = 0; i < n; i++) total += probs[idx[i]];
    u = ((u * 9301 + 49297) % 233280) / 233280; // a fixed pseudo-random sequence
    let target = u * total;
    for (let i = 0; i < n; i++) {
      target -= probs[idx[i]];
      if (target < 0) return idx[i];
    }
    return idx[n - 1];
  };
}

/** Times `iters` calls of fn(x): [wall ns per call, CPU ns per call (this process's user + system time)]. */
function timeRound(fn, x, iters) {
  const [wall, cpu] = timeLoop(fn, iters, x);
  return [(wall * 1e6) / iters, (cpu * 1e6) / iters];
}

function calibrate(fn, x) {
  const t = timeRound(fn, x, 1)[0];
  return Math.max(1, Math.round((ROUND_MS * 1e6) / Math.max(t, 1)));
}

const DEFAULT = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05 };
const TOPP = { topP: 0.9 };
const rows = [];
for (const v of VOCABS) {
  const x = makeLogits(v, 12345 + v);
  const oursDefault = createSampler({ ...DEFAULT, seed: 1 });
  const oursTopP = createSampler({ ...TOPP, seed: 1 });
  const cases = [
    ["default chain", "ours", (r) => oursDefault.sample(r).token],
    ["default chain", "plain JS (exp + full sort)", makePlain(v, DEFAULT)],
    ["top-p 0.9", "ours", (r) => oursTopP.sample(r).token],
    ["top-p 0.9", "plain JS (exp + full sort)", makePlain(v, TOPP)],
  ];
  for (const [, , fn] of cases) for (let w = 0; w < 5; w++) consume(fn(x)); // warm-up
  const iters = cases.map(([, , fn]) => calibrate(fn, x));
  const wall = cases.map(() => []);
  const cpu = cases.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let c = 0; c < cases.length; c++) {
      const [w, u] = timeRound(cases[c][2], x, iters[c]);
      wall[c].push(w / v);
      cpu[c].push(u / v);
    }
  }
  for (let c = 0; c < cases.length; c += 2) {
    const ours = median(cpu[c]);
    const plain = median(cpu[c + 1]);
    rows.push({
      v,
      name: cases[c][0],
      ours,
      plain,
      ratio: plain / ours,
      oursWall: median(wall[c]),
      plainWall: median(wall[c + 1]),
    });
  }
}

console.log(
  `\nSampling, one row in cache, median of ${RUNS} interleaved rounds; Node ${process.version}; ` +
    `load average ${loadAverage(1)}\n`,
);
console.log(
  "| V | case | ours ns/el (CPU) | plain JS ns/el (CPU) | plain / ours (CPU) | ours (wall) | plain JS (wall) |",
);
console.log("|---:|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.v.toLocaleString("en-US")} | ${r.name} | ${r.ours.toFixed(1)} | ${r.plain.toFixed(1)} | ` +
      `${r.ratio.toFixed(1)}× | ${r.oursWall.toFixed(1)} | ${r.plainWall.toFixed(1)} |`,
  );
}
console.log(`\n(checksum ${sink})`);
