// Start-up of the command: CPU time (user + sys, from /usr/bin/time) and wall time of whole short runs, where
// loading the modules is most of the work — `--help`, a flag error, a piped `score` of 200 rows of V = 64 and
// a 4-token `generate` from the n-gram model — and how many ES modules each loads (the start-up tests' preload,
// test/helpers/recordModules.mjs).
// CPU is the steadier figure on a shared machine: it leaves out the time the process waited for a core.
//
// Run: pnpm build && node bench/startup.bench.mjs [--runs 11]  (from apps/cli). BASELINE=path/to/main.js
// runs a second build (e.g. main's, copied before a change) alternating with this one, run for run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAverage, median, runsFromArgs, tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";

const RUNS = runsFromArgs(11);
const TIME = "/usr/bin/time";
if (!existsSync(TIME)) {
  console.log("startup.bench: needs GNU time at /usr/bin/time for the CPU figures; skipped");
  process.exit(0);
}
const builds = { this: new URL("../dist/main.js", import.meta.url).pathname };
if (process.env.BASELINE) builds.baseline = process.env.BASELINE;

const dir = mkdtempSync(join(tmpdir(), "logitstream-startup-bench-"));
const rows = new Float32Array(200 * 64).map((_, i) => (i % 7) - 3);
const f32 = join(dir, "rows.f32");
writeFileSync(f32, Buffer.from(rows.buffer));
const log = join(dir, "modules.txt");
// The same preload the start-up tests use: it appends every module the run loads to LOGITSTREAM_MODULE_LOG.
const preload = fileURLToPath(new URL("../test/helpers/recordModules.mjs", import.meta.url));

const commands = {
  "--help": { args: ["--help"] },
  "flag error (`sample -t -1`)": { args: ["sample", "-t", "-1"] },
  "piped `score --format f32 --vocab 64`, 200 rows": {
    args: ["score", "--format", "f32", "--vocab", "64"],
    stdin: f32,
  },
  '`generate "The" --max-tokens 4 --seed 1`': {
    args: ["generate", "The", "--max-tokens", "4", "--seed", "1"],
  },
};

/** One run: { cpu, wall } in seconds (GNU time's resolution: 10 ms). */
function runOnce(main, { args, stdin }) {
  const r = spawnSync(TIME, ["-f", "%U %S %e", process.execPath, main, ...args], {
    stdio: ["pipe", "ignore", "pipe"],
    input: stdin ? readFileSync(stdin) : "",
    encoding: "utf8",
  });
  const [user, sys, wall] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { cpu: user + sys, wall };
}

/** ES modules (not Node's builtins) one run loads: the resolve hook's `file:` URLs; the preload's list of
 * CommonJS files (plain paths) is left out. */
function modules(main, { args, stdin }) {
  writeFileSync(log, "");
  spawnSync(process.execPath, ["--import", preload, main, ...args], {
    env: { ...process.env, LOGITSTREAM_MODULE_LOG: log },
    input: stdin ? readFileSync(stdin) : "",
    stdio: ["pipe", "ignore", "ignore"],
  });
  return new Set(
    readFileSync(log, "utf8")
      .split("\n")
      .filter((u) => u.startsWith("file:")),
  ).size;
}

const names = Object.keys(builds);
console.log(`CLI start-up, ${RUNS} alternating runs per build; load average ${loadAverage()} (before)`);
tableHeader(
  ["command", ...names.flatMap((b) => [`${b}: CPU s`, `${b}: wall s`, `${b}: modules`])],
  `l${"rrr".repeat(names.length)}`,
);
for (const [label, command] of Object.entries(commands)) {
  const samples = Object.fromEntries(names.map((b) => [b, { cpu: [], wall: [] }]));
  for (let r = 0; r < RUNS; r++)
    for (const b of names) {
      const { cpu, wall } = runOnce(builds[b], command);
      samples[b].cpu.push(cpu);
      samples[b].wall.push(wall);
    }
  console.log(
    tableRow([
      label,
      ...names.flatMap((b) => [
        median(samples[b].cpu).toFixed(2),
        median(samples[b].wall).toFixed(2),
        String(modules(builds[b], command)),
      ]),
    ]),
  );
}
console.log(`load average ${loadAverage()} (after)`);
rmSync(dir, { recursive: true, force: true });
