// Start-up of the package, phase by phase, each in a fresh process (what every `logitstream generate`
// pays): import, loadModel(), new BpeTokenizer(), the first encode (it builds the bytes → id table),
// then 12 greedy steps with the tokens' bytes. CPU = process.cpuUsage() deltas (user + sys of every
// thread: the JIT's and GC's helpers too), and the process's peak RSS. Medians over the runs.
//
// Run: pnpm build && node bench/startup.bench.mjs [--runs 11]  (from packages/ngram). BASELINE=path to
// another checkout's packages/ngram (built) runs it alternating with this one, run for run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadAverage, median, runsFromArgs, tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";

const RUNS = runsFromArgs(11);
const PHASES = [
  "import",
  "loadModel()",
  "new BpeTokenizer()",
  "first encode",
  "12 steps",
  "total",
  "peak RSS MB",
];

if (process.argv[2] === "--child") {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const out = [];
  let c = cpu();
  const lap = () => {
    const n = cpu();
    out.push(n - c);
    c = n;
  };
  const start = c;
  const m = await import(new URL("dist/index.js", `file://${process.argv[3]}/`).href);
  lap();
  const model = m.loadModel();
  lap();
  const tok = new m.BpeTokenizer();
  lap();
  const ctx = tok.encode("The history of");
  lap();
  for (let i = 0; i < 12; i++) {
    const row = model.next(ctx);
    let best = 0;
    for (let w = 1; w < row.length; w++) if (row[w] > row[best]) best = w;
    ctx.push(best);
    tok.tokenBytes(best);
  }
  lap();
  out.push(cpu() - start, process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(out));
  process.exit(0);
}

const builds = { this: fileURLToPath(new URL("..", import.meta.url)) };
if (process.env.BASELINE) builds.baseline = process.env.BASELINE;
const names = Object.keys(builds);
const samples = Object.fromEntries(names.map((b) => [b, PHASES.map(() => [])]));
for (let r = 0; r < RUNS; r++)
  for (const b of names) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", builds[b]], {
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`${b}: ${child.stderr}`);
    for (const [i, v] of JSON.parse(child.stdout).entries()) samples[b][i].push(v);
  }
console.log(`ngram start-up, ${RUNS} alternating fresh processes per build; load average ${loadAverage()}`);
tableHeader(["phase", ...names.map((b) => `${b}: CPU ms (RSS: MB), median`)], `l${"r".repeat(names.length)}`);
PHASES.forEach((phase, i) => {
  console.log(tableRow([phase, ...names.map((b) => median(samples[b][i]).toFixed(i === 6 ? 0 : 1))]));
});
