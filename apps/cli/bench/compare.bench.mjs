// End-to-end benchmark of `logitstream compare` on two .npy files of float32 logits against `score` on
// one of them (the same rows read once), wall time of the whole process, as MB/s of input read.
//
// Run: pnpm build && node bench/compare.bench.mjs [--mb 1024] [--vocab 128256] [--threads 2]  (from apps/cli)
// The files are written to a temporary folder (each --mb MB) and removed at the end.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAverage, makeLogits, tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const MB = arg("mb", 256);
const V = arg("vocab", 128_256);
const THREADS = arg("threads", 2);
const ROWS = Math.max(1, Math.floor((MB * 1e6) / (4 * V)));
const CLI = new URL("../dist/main.js", import.meta.url).pathname;

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

function run(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), "compare-bench-"));
try {
  const a = join(dir, "base.npy");
  const b = join(dir, "quant.npy");
  writeNpy(a, 0);
  writeNpy(b, 0.05);
  const bytes = ROWS * V * 4;
  console.log(
    `# compare vs score, ${ROWS} rows of V = ${V} (${(bytes / 1e6).toFixed(0)} MB per file), --threads ${THREADS} (load average ${loadAverage()})\n`,
  );
  tableHeader(["command", "wall s", "MB/s of input read", "rows/s"], "lrrr");
  for (const [name, args, inputBytes] of [
    ["score base.npy", ["score", a, "--threads", String(THREADS)], bytes],
    ["compare base.npy quant.npy", ["compare", a, b, "--threads", String(THREADS)], 2 * bytes],
    ["compare --summary-only", ["compare", a, b, "--summary-only", "--threads", String(THREADS)], 2 * bytes],
  ]) {
    const ms = run(args);
    console.log(
      tableRow([
        name,
        (ms / 1000).toFixed(2),
        (inputBytes / 1e6 / (ms / 1000)).toFixed(0),
        (ROWS / (ms / 1000)).toFixed(0),
      ]),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
