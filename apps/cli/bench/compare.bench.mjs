// End-to-end benchmark of `logitstream compare` on two .npy files of float32 logits against `score` on
// one of them (the same rows read once): wall time of the whole process, and from `/usr/bin/time -v`
// (when it exists) its CPU time (user + sys: the main thread and the workers), minor page faults and peak
// resident memory. CPU time is the steadier figure on a shared machine: it leaves out the time the
// process waited for a core.
//
// Run: pnpm build && node bench/compare.bench.mjs [--mb 256] [--vocab 128256] [--threads 2] [--reps 3]
// (from apps/cli). BASELINE=path/to/main.js runs a second build (e.g. main's, built in a temporary
// worktree) beside this one in the same reps: each rep runs every command of both builds back to back, so a
// swing of the shared machine's clock hits them alike, and "vs baseline" is the median of per-rep ratios.
// The files are written to a temporary folder (each --mb MB) and removed at the end.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadAverage, makeLogits, median, tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const MB = arg("mb", 256);
const V = arg("vocab", 128_256);
const THREADS = arg("threads", 2);
const REPS = arg("reps", 3);
const ROWS = Math.max(1, Math.floor((MB * 1e6) / (4 * V)));
const CLI = new URL("../dist/main.js", import.meta.url).pathname;
const BASELINE = process.env.BASELINE;
const TIME = "/usr/bin/time";
const HAS_TIME = existsSync(TIME);

/** A .npy file of ROWS rows: a base model, and a "quantized" one with small per-row noise. */
function writeNpy(path, noise) {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${V}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  const h = Buffer.alloc(10);
  h.write("\x93NUMPY", 0, "latin1");
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(header.length + pad + 1, 8);
  const fd = openSync(path, "w");
  writeSync(fd, h);
  writeSync(fd, Buffer.from(`${header}${" ".repeat(pad)}\n`, "latin1"));
  const base = makeLogits(V, 5);
  const row = new Float32Array(V);
  for (let r = 0; r < ROWS; r++) {
    for (let i = 0; i < V; i++) row[i] = base[(i + r * 7919) % V] + noise * Math.sin(i + r);
    writeSync(fd, new Uint8Array(row.buffer));
  }
  closeSync(fd);
}

/** One run of the CLI: wall ms, and with /usr/bin/time its CPU ms, minor page faults and peak RSS (KiB). */
function run(cli, args) {
  const argv = [cli, ...args];
  const t0 = performance.now();
  const r = HAS_TIME
    ? spawnSync(TIME, ["-v", process.execPath, ...argv], {
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 1 << 26,
      })
    : spawnSync(process.execPath, argv, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  const err = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${err}`);
  if (!HAS_TIME) return { ms };
  const num = (label) => Number(new RegExp(`${label}: ([\\d.]+)`).exec(err)?.[1] ?? Number.NaN);
  return {
    ms,
    cpuMs: 1000 * (num("User time \\(seconds\\)") + num("System time \\(seconds\\)")),
    faults: num("Minor \\(reclaiming a frame\\) page faults"),
    rssKb: num("Maximum resident set size \\(kbytes\\)"),
  };
}

const dir = mkdtempSync(join(tmpdir(), "compare-bench-"));
try {
  const a = join(dir, "base.npy");
  const b = join(dir, "quant.npy");
  writeNpy(a, 0);
  writeNpy(b, 0.05);
  const bytes = ROWS * V * 4;
  const t = ["--threads", String(THREADS), "--no-progress"];
  const commands = [
    ["score base.npy", ["score", a, ...t], 1],
    ["compare base.npy quant.npy", ["compare", a, b, ...t], 2],
    ["compare --summary-only", ["compare", a, b, "--summary-only", ...t], 2],
  ];
  const builds =
    BASELINE === undefined
      ? [["", CLI]]
      : [
          ["", CLI],
          [" (baseline)", BASELINE],
        ];
  const cases = [];
  for (const [name, args, files] of commands) {
    for (const [tag, cli] of builds) cases.push({ name: `${name}${tag}`, cli, args, files, runs: [] });
  }
  run(CLI, ["score", a, "--no-progress"]); // the files into the page cache, the build warm
  const loadBefore = loadAverage();
  for (let rep = 0; rep < REPS; rep++) for (const c of cases) c.runs.push(run(c.cli, c.args));
  console.log(
    `# compare vs score, ${ROWS} rows of V = ${V} (${(bytes / 1e6).toFixed(0)} MB per file), --threads ${THREADS}, ${REPS} interleaved reps, ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; load average ${loadBefore} before, ${loadAverage()} after\n`,
  );
  console.log(
    "ns/el: per logit of one input (a row pair reads 2·V); CPU = user + sys of the whole process; medians.\n",
  );
  const cols = ["command", "wall s", "rows/s", "MB/s of input read", "wall ns/el"];
  if (HAS_TIME) cols.push("CPU s", "CPU ns/el", "minor page faults", "peak RSS MB");
  if (BASELINE !== undefined) cols.push("CPU vs baseline (median; per rep)");
  tableHeader(cols, `l${"r".repeat(cols.length - 1)}`);
  const elements = ROWS * V;
  for (const c of cases) {
    const ms = median(c.runs.map((r) => r.ms));
    const row = [
      c.name,
      (ms / 1000).toFixed(2),
      Math.round(ROWS / (ms / 1000)).toLocaleString("en-US"),
      ((c.files * bytes) / 1e6 / (ms / 1000)).toFixed(0),
      ((ms * 1e6) / elements).toFixed(1),
    ];
    if (HAS_TIME) {
      const cpu = median(c.runs.map((r) => r.cpuMs));
      row.push(
        (cpu / 1000).toFixed(2),
        ((cpu * 1e6) / elements).toFixed(1),
        Math.round(median(c.runs.map((r) => r.faults))).toLocaleString("en-US"),
        (median(c.runs.map((r) => r.rssKb)) / 1024).toFixed(0),
      );
    }
    if (BASELINE !== undefined) {
      const base = cases.find((x) => x.name === `${c.name} (baseline)`);
      if (base === undefined || !HAS_TIME) row.push("—");
      else {
        // baseline CPU / this build's CPU: > 1 means this build is cheaper.
        const ratios = c.runs.map((r, i) => base.runs[i].cpuMs / r.cpuMs);
        row.push(`${median(ratios).toFixed(2)}; ${ratios.map((x) => x.toFixed(2)).join(", ")}`);
      }
    }
    console.log(tableRow(row));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
