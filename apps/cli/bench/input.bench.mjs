// The CLI end to end on a large float32 input: `score` with --threads 1 and 2, the input given as a path,
// as stdin redirected from the file (`< rows.f32`), and as a pipe (`cat rows.f32 |`). Wall time of the
// whole process (start-up, worker start, read, score, write), interleaved reps, medians and per-rep
// 2-vs-1 ratios. ROWS (default 4096) rows of V = 128,256: 4,096 rows is 2.1 GB, in the page cache after
// the first read. The file is written to the OS temp dir and removed at the end.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAverage, median } from "../../../scripts/benchHarness.mjs";

const V = 128_256;
const ROWS = Number(process.env.ROWS ?? 4096);
const REPS = Number(process.env.REPS ?? 3);
const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const file = join(tmpdir(), `logitstream-input-bench-${process.pid}.f32`);

// Deterministic logits, written row by row (never the whole file in memory).
const fd = openSync(file, "w");
const row = new Float32Array(V);
let s = 1;
for (let r = 0; r < ROWS; r++) {
  for (let i = 0; i < V; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    row[i] = ((s >>> 0) / 4294967296 - 0.5) * 18;
  }
  writeSync(fd, new Uint8Array(row.buffer));
}
closeSync(fd);

const flags = `score --format f32 --vocab ${V} --no-progress`;
const ways = {
  path: (t) => `node ${CLI} ${flags} --threads ${t} ${file}`,
  "stdin < file": (t) => `node ${CLI} ${flags} --threads ${t} < ${file}`,
  "pipe (cat file |)": (t) => `cat ${file} | node ${CLI} ${flags} --threads ${t}`,
};

function wallMs(command) {
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", `${command} > /dev/null`], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${command} exited ${r.status}`);
  return performance.now() - t0;
}

try {
  wallMs(`cat ${file}`); // into the page cache
  console.log(
    `cli score input — ${ROWS} rows × ${V} f32 (${((ROWS * V * 4) / 1e9).toFixed(2)} GB), ${REPS} interleaved reps, ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; load average ${loadAverage()}`,
  );
  console.log("| input | threads | wall ms (median) | rows/s | 2 vs 1 thread, per-rep ratios |");
  console.log("|---|---:|---:|---:|---|");
  for (const [name, cmd] of Object.entries(ways)) {
    const times = { 1: [], 2: [] };
    for (let rep = 0; rep < REPS; rep++) for (const t of [1, 2]) times[t].push(wallMs(cmd(t)));
    const ratios = times[1].map((t, i) => (t / times[2][i]).toFixed(2));
    for (const t of [1, 2]) {
      const ms = median(times[t]);
      const rowsPerS = Math.round(ROWS / (ms / 1000)).toLocaleString("en-US");
      console.log(
        `| ${name} | ${t} | ${ms.toFixed(0)} | ${rowsPerS} | ${t === 2 ? ratios.join(", ") : ""} |`,
      );
    }
  }
} finally {
  rmSync(file, { force: true });
}
