// A small benchmark harness: warm-up, then the median of timed runs; results are consumed so the JIT
// cannot drop the work. Plain ESM against ../dist (run `npx turbo run build --filter=@logitstream/wire` first).
import os from "node:os";

export let sink = 0;
export function consume(x) {
  sink = (sink + (typeof x === "number" ? x : 1)) | 0;
}

export async function measure(fn, { runs = 5, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function row(name, ms, rows, bytes, baselineMs) {
  const rps = (rows / ms) * 1000;
  const mbs = bytes / 1e6 / (ms / 1000);
  const ratio = baselineMs === undefined ? "" : `${(baselineMs / ms).toFixed(2)}×`;
  return `| ${name} | ${ms.toFixed(1)} | ${rps.toFixed(0)} | ${mbs.toFixed(0)} | ${ratio} |`;
}

export function header(title) {
  console.log(`\n### ${title}\n`);
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}`);
  console.log("\n| case | median ms | rows/s | MB/s | speed vs baseline |\n|---|---|---|---|---|");
}

/** Logits like a model's: N(0,1)·3 as float32, from a fixed-seed generator. */
export function logits(rows, vocab, seed = 1) {
  let s = seed >>> 0;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const out = new Float32Array(rows * vocab);
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u)) * 3;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Splits bytes into 64 KiB pieces, as a pipe or file stream delivers them. */
export function pieces(b, size = 65536) {
  const out = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}
