// Shared helpers of the pool benchmarks (plain ESM; they import the built package).
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export const V = 128_256;

/** Deterministic logits, N(0,1)·3-like spread, from a small xorshift generator. */
export function makeRows(rows, vocab = V, seed = 1) {
  const data = new Float32Array(rows * vocab);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // Sum of 3 uniforms, centred: roughly normal; scaled to σ ≈ 3.
    const u =
      ((s >>> 0) / 4294967296 +
        ((s * 2654435761) >>> 0) / 4294967296 +
        ((s * 40503) >>> 0) / 4294967296 -
        1.5) *
      6;
    data[i] = u;
  }
  return data;
}

export function targetsFor(rows, vocab = V) {
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = (r * 7919) % vocab;
  return t;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function machine() {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? "cpu"}, Node ${process.version}`;
}

export function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function now() {
  return performance.now();
}

/** Consumes a value so the JIT cannot drop the work. */
export let sink = 0;
export function consume(x) {
  if (ArrayBuffer.isView(x)) sink += x[0] ?? 0;
  else if (typeof x === "number") sink += x;
}

/**
 * CPU seconds used so far by the calling (main) thread alone, from /proc (Linux; 10 ms ticks), or NaN
 * elsewhere. `process.cpuUsage()` counts every thread of the process, workers included.
 */
export function mainThreadCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
}
