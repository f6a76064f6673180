import type { PoolOptions } from "../src/poolTypes.js";
import { startPool } from "../src/startPool.js";
// @ts-expect-error: a plain .mjs fixture without type declarations
import { toyKernels } from "./fixtures/toyKernels.mjs";

export const faultWorkerUrl = new URL("./fixtures/faultWorker.mjs", import.meta.url);

export interface Fault {
  row: number;
  kind: "throw" | "exit" | "oom";
  /** How many times it fires (across every worker and retry). */
  times: number;
}

/** A pool over the real task handler with the toy kernels (or the real ones), faults injected by row. */
export function testPool(opts: PoolOptions, faults: Fault[] = [], kernels: "toy" | "real" = "toy") {
  const counters = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, faults.length)));
  faults.forEach((f, i) => {
    counters[i] = f.times;
  });
  return startPool(
    { inlineThreshold: 0, ...opts },
    {
      workerUrl: faultWorkerUrl,
      kernels: toyKernels as never,
      workerData: { kernels, faults: faults.map(({ row, kind }) => ({ row, kind })), counters },
    },
  );
}

/** Deterministic logits: value of row `row`, column `c`. */
export function logit(row: number, c: number): number {
  return ((row * 31 + c * 17) % 101) / 10 - 5;
}

/** `total` rows of width `vocab` cut into batches of `batchRows`, generated lazily; counts pulls. */
export function* batches(
  total: number,
  batchRows: number,
  vocab: number,
  counter?: { pulled: number },
): Generator<{ firstRow: number; rows: number; vocab: number; data: Float32Array; targets: Int32Array }> {
  for (let first = 0; first < total; first += batchRows) {
    const rows = Math.min(batchRows, total - first);
    const data = new Float32Array(rows * vocab);
    for (let r = 0; r < rows; r++) for (let c = 0; c < vocab; c++) data[r * vocab + c] = logit(first + r, c);
    const targets = new Int32Array(rows);
    for (let r = 0; r < rows; r++) targets[r] = (first + r) % 3 === 2 ? -1 : (first + r) % vocab;
    if (counter !== undefined) counter.pulled++;
    yield { firstRow: first, rows, vocab, data, targets };
  }
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
