import { defaultKernels } from "./defaultKernels.js";
import type { Pool, PoolOptions } from "./poolTypes.js";
import { startPool } from "./startPool.js";

// The built worker sits next to this module in dist/: the bundled entry (scripts/bundleWorker.mjs: one
// module instead of ~150, so each thread starts faster). When this module runs from its TypeScript
// source (vitest), the worker is still the built one: Node 20 cannot run TypeScript in a worker.
const workerUrl = import.meta.url.endsWith(".ts")
  ? new URL("../dist/workerBundle.js", import.meta.url)
  : new URL("./workerBundle.js", import.meta.url);

/**
 * A pool of worker threads that samples, scores and softmaxes batches of logit rows on every core.
 *
 * - Promise form: `sample(batch, params)`, `score(batch)`, `softmax(batch)` resolve to the core's result
 *   shapes; a large batch is split over the threads and merged in row order.
 * - Streaming form: `run(source, job)` takes an async iterable of decoded batches or of raw byte chunks
 *   (wire's `frameChunks`), decodes, computes and encodes records in the workers, and yields results in
 *   input order with bounded memory.
 *
 * Results are byte-identical for any thread count and any batch split (row r's random stream is its
 * global index). Small jobs run inline on the calling thread; the workers start on the first large one.
 *
 * @example
 * ```ts
 * const pool = createPool({ threads: 2 });
 * const { tokens, logprobs } = await pool.sample({ data, rows: 64, vocab: 128256 }, { topP: 0.9, seed: 7 });
 * for await (const r of pool.run(frameChunks(process.stdin), { kind: "score", output: "ndjson" })) {
 *   process.stdout.write(r.bytes!);
 * }
 * await pool.close();
 * ```
 */
export function createPool(options: PoolOptions = {}): Pool {
  return startPool(options, { workerUrl, kernels: defaultKernels });
}
