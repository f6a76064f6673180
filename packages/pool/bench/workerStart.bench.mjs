// Worker start-up: the time from `new Worker(entry)` until the entry has loaded (its handler posts the
// "loaded" message), for the entry the pool starts (dist/workerBundle.js: core and wire inlined) and
// for src/worker.ts bundled the way every package's dist is (scripts/bundlePackage.mjs: the pool's own
// modules in one file, core and wire imported as packages, each one bundled module plus chunks), built
// here into bench/out/, alternating, in fresh worker threads of one process. The main thread's own
// module graph is warm, as it is when a pool starts its threads.
// `node bench/workerStart.bench.mjs [--runs N]` after `pnpm build`.
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { loadAverage, median, runsFromArgs } from "../../../scripts/benchHarness.mjs";

const RUNS = runsFromArgs(15);
const packageStyle = new URL("./out/workerPackages.js", import.meta.url);
await build({
  entryPoints: [new URL("../src/worker.ts", import.meta.url).pathname],
  outfile: packageStyle.pathname,
  bundle: true,
  format: "esm",
  platform: "node",
  packages: "external",
  logLevel: "warning",
});
const entries = {
  "core and wire inlined (dist/workerBundle.js)": new URL("../dist/workerBundle.js", import.meta.url),
  "core and wire as packages (bench/out/workerPackages.js)": packageStyle,
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
