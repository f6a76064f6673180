// Shared harness of the packages' bench/*.bench.mjs files (plain ESM; each bench imports it relatively,
// `../../../scripts/benchHarness.mjs`, and is run from its package directory by scripts/run-benches.mjs).
// What is here is only what several benches did the same way: reading `--runs`, fixed-seed logits,
// medians, timing a loop in wall and CPU time (process.cpuUsage: it leaves out the time this process
// waited for a core, which on a shared machine is most of the noise), warm-up and interleaved rounds,
// the load average, and markdown table printing. Each bench keeps its own cases, sizes and columns.
import { loadavg } from "node:os";

/** Checksum that results are folded into so the JIT cannot drop the work; benches print it. */
export let sink = 0;
/** Adds a number to `sink`. */
export function consume(x) {
  sink += x;
}

/** `--runs N` from the command line, or `fallback`. */
export function runsFromArgs(fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--runs");
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

/** float32 logits N(0, 1) · 3 from a fixed-seed generator (xorshift32 + Box–Muller). */
export function makeLogits(v, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(v);
  for (let i = 0; i < v; i++) out[i] = 3 * Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

/** The upper median (element length >> 1 of the sorted copy). */
export function median(a) {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/**
 * Runs `fn(arg)` `iters` times and returns [wall ms, process CPU ms (user + system)]. Each result is
 * folded into `sink`: a number as is, an array-like by its element k % length.
 */
export function timeLoop(fn, iters, arg) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < iters; k++) {
    const r = fn(arg);
    sink += typeof r === "number" ? r : r[k % r.length];
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}

/**
 * Warms `fn` up (at least `minCalls` calls and `minMs` ms; results folded into `sink` like timeLoop)
 * and returns the number of calls that fills a round of ~`roundMs` ms.
 */
export function warmUp(fn, roundMs, { minMs = 150, minCalls = 5 } = {}) {
  let iters = 0;
  const t0 = performance.now();
  while (iters < minCalls || performance.now() - t0 < minMs) {
    const r = fn();
    sink += r[iters % r.length];
    iters++;
  }
  return Math.max(1, Math.round(roundMs / ((performance.now() - t0) / iters)));
}

/**
 * `runs` interleaved rounds (every case once per round, so clock swings hit all cases alike): each case
 * `c` (with `c.fn` and `c.iters`) gets `c.cpu` and `c.wall`, ns per element of each round, `elements`
 * per call. A GC (under --expose-gc) runs before every round.
 */
export function interleave(cases, runs, elements) {
  for (const c of cases) {
    c.cpu = [];
    c.wall = [];
  }
  for (let r = 0; r < runs; r++) {
    for (const c of cases) {
      globalThis.gc?.();
      const [wall, cpu] = timeLoop(c.fn, c.iters);
      c.cpu.push((cpu * 1e6) / (c.iters * elements));
      c.wall.push((wall * 1e6) / (c.iters * elements));
    }
  }
}

/** Runs `fn()` once; returns [CPU ns of this process (user + system), fn's result]. */
export function cpuNs(fn) {
  const t0 = process.cpuUsage();
  const r = fn();
  const d = process.cpuUsage(t0);
  return [(d.user + d.system) * 1000, r];
}

/**
 * Awaits `fn()` once; returns wall ms, this process's CPU seconds (every thread, workers included) and,
 * if `mainCpuSeconds` (a clock of the calling thread alone) is given, the calling thread's CPU seconds.
 */
export async function wallAndCpu(fn, mainCpuSeconds) {
  const c0 = process.cpuUsage();
  const m0 = mainCpuSeconds?.();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const mainS = mainCpuSeconds ? mainCpuSeconds() - m0 : Number.NaN;
  return { wall, cpuS: (c.user + c.system) / 1e6, mainS };
}

/** The 1, 5 and 15 minute load averages, space-separated. */
export function loadAverage(digits = 2) {
  return loadavg()
    .map((x) => x.toFixed(digits))
    .join(" ");
}

/** Prints a markdown table header; `align` has one letter per column, "l" (---) or "r" (---:). */
export function tableHeader(columns, align = "") {
  console.log(tableRow(columns));
  console.log(`|${columns.map((_, i) => (align[i] === "r" ? "---:" : "---")).join("|")}|`);
}

/** One markdown table row. */
export function tableRow(cells) {
  return `| ${cells.join(" | ")} |`;
}
