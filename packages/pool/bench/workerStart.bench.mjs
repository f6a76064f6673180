// Worker start-up: the time from `new Worker(entry)` until the entry has loaded (its handler posts the
// "loaded" message), for the bundled entry the pool starts (dist/workerBundle.js) and the unbundled one
// tsc emits (dist/worker.js, ~150 modules), alternating, in fresh worker threads of one process. The
// main thread's own module graph is warm, as it is when a pool starts its threads.
// `node bench/workerStart.bench.mjs [--runs N]` after `pnpm build`.
import { Worker } from "node:worker_threads";
import { loadAverage, median, runsFromArgs } from "../../../scripts/benchHarness.mjs";

const RUNS = runsFromArgs(15);
const entries = {
  "bundled (dist/workerBundle.js)": new URL("../dist/workerBundle.js", import.meta.url),
  "unbundled (dist/worker.js)": new URL("../dist/worker.js", import.meta.url),
};

/** ms from spawning a worker on `url` until its entry has loaded; the worker is then terminated. */
function startOnce(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const w = new Worker(url, {
      execArgv: ["--no-experimental-require-module"].filter((f) =>
        process.allowedNodeEnvironmentFlags.has(f),
      ),
    });
    w.once("message", () => {
      const ms = performance.now() - t0;
      w.terminate().then(() => resolve(ms), reject);
    });
    w.once("error", reject);
  });
}

const times = Object.fromEntries(Object.keys(entries).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++)
  for (const [name, url] of Object.entries(entries)) times[name].push(await startOnce(url));
console.log(`pool worker start-up, ${RUNS} alternating runs; load average ${loadAverage()}`);
console.log("| entry | median ms | min ms |\n|---|---:|---:|");
for (const [name, a] of Object.entries(times))
  console.log(`| ${name} | ${median(a).toFixed(1)} | ${Math.min(...a).toFixed(1)} |`);
