// The CLI end to end on a large input: `score` on ROWS rows of V float32 logits (defaults 16,384 × 32,000:
// 2.1 GB), as raw f32 and as .npy, the input given as a path, as stdin redirected from the file
// (`< rows.f32`), through a pipe (`cat rows.f32 |`) and as a pipe given as a path (a shell's process
// substitution, `<(cat rows.f32)`: /dev/fd/N). The ceiling of a pipe on this machine is measured in
// the same run: `cat file | cat > /dev/null` moves the same bytes through one pipe with nothing done to
// them, and each CLI row's "vs cat | cat" is the throughput ratio to it ("vs path": to the same job from the
// path), per rep (a rep runs every command once, back to back, so a swing of the shared machine's clock
// hits them alike). Wall time of the
// whole process (start-up, worker start, read, score, write to /dev/null); medians. The "input stage only"
// rows time the CLI's reading and framing alone through the same pipe (bench/frameStdin.mjs: the
// PipeReader the CLI uses now, filling the chunks' memory; the same PipeReader as pieces only, its ring
// copied into the chunks; and process.stdin as it was read before), to show what the pipe itself allows
// once scoring is taken out; "a Node process only reading the pipe" (frameStdin.mjs --bare) is the floor
// of any Node program there.
//
// CPU time: each command's user + system seconds, every process of the pipeline included (`cat` too), from
// the children's times this process accumulates (Linux /proc; "—" elsewhere). On a machine with few cores
// that is what bounds a pipeline: the closing paragraph sets each pipe's CPU against what the cores give
// in the time that 0.70 of `cat | cat` allows (issue 20, item 3).
//
// Env: V, ROWS (16384: 2.1 GB, the size issue 20 measured at; start-up weighs more in a smaller input), REPS
// (3), THREADS ("1,2"), BASELINE=path/to/main.js (a second build, e.g. the code before a change, run beside
// this one in the same reps: its rows are marked "baseline", and its own bench/frameStdin.mjs, when it has
// one, gives a baseline input-stage row). The files are written to the OS temp dir and removed at the end.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadAverage, median, tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";

const V = Number(process.env.V ?? 32_000);
const ROWS = Number(process.env.ROWS ?? 16_384);
const REPS = Number(process.env.REPS ?? 3);
const THREADS = (process.env.THREADS ?? "1,2").split(",").map(Number);
const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const FRAME = fileURLToPath(new URL("./frameStdin.mjs", import.meta.url));
const BASELINE = process.env.BASELINE;
const raw = join(tmpdir(), `logitstream-input-bench-${process.pid}.f32`);
const npy = join(tmpdir(), `logitstream-input-bench-${process.pid}.npy`);
const BYTES = ROWS * V * 4;

/** A .npy v1.0 header for float32 rows × V, padded to a multiple of 64 bytes. */
function npyHeader() {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${V}), }`;
  const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const h = Buffer.alloc(10 + len, 0x20);
  h.write("\x93NUMPY", 0, "latin1");
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(len, 8);
  h.write(dict, 10, "latin1");
  h[10 + len - 1] = 0x0a;
  return h;
}

// Deterministic logits, written 64 rows at a time into both files (never the whole file in memory).
const fds = [openSync(raw, "w"), openSync(npy, "w")];
writeSync(fds[1], npyHeader());
const block = new Float32Array(64 * V);
let s = 1;
for (let r = 0; r < ROWS; r += 64) {
  const n = Math.min(64, ROWS - r) * V;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    block[i] = ((s >>> 0) / 4294967296 - 0.5) * 18;
  }
  for (const fd of fds) writeSync(fd, new Uint8Array(block.buffer, 0, n * 4));
}
for (const fd of fds) closeSync(fd);

const clis =
  BASELINE === undefined
    ? [["", CLI]]
    : [
        ["", CLI],
        [" (baseline)", BASELINE],
      ];
const cases = [];
cases.push({
  name: "`cat file \\| cat`",
  format: "f32",
  threads: "—",
  cmd: `cat ${raw} | cat`,
  ceiling: true,
});
cases.push({
  name: "`cat file \\| cat`",
  format: "npy",
  threads: "—",
  cmd: `cat ${npy} | cat`,
  ceiling: true,
});
// The input stage alone (framing into recycled memory, no scoring): what a pipe gives the pool; and a Node
// process that only reads the pipe: the most any Node program gets through it on this machine.
// The baseline build's own helper (its PipeReader and wire) beside this one's, when it has one.
const baselineFrame =
  BASELINE === undefined
    ? undefined
    : fileURLToPath(new URL("../bench/frameStdin.mjs", pathToFileURL(BASELINE)));
for (const [how, flag, frame] of [
  ["bare", " --bare", FRAME],
  ["PipeReader", "", FRAME],
  ["PipeReader, pieces only: ring copied", " --pieces", FRAME],
  ["process.stdin", " --stream", FRAME],
  ...(baselineFrame !== undefined && existsSync(baselineFrame) ? [["PipeReader", "", baselineFrame]] : []),
]) {
  for (const [format, file, args] of [
    ["f32", raw, `f32 ${V}`],
    ["npy", npy, "npy"],
  ]) {
    cases.push({
      name:
        how === "bare"
          ? "a Node process only reading the pipe"
          : `input stage only (${how}), through a pipe${frame === FRAME ? "" : " (baseline)"}`,
      format,
      threads: "—",
      cmd: `cat ${file} | node ${frame} ${args}${flag}`,
    });
  }
}
for (const [tag, cli] of clis) {
  const f32 = `node ${cli} score --format f32 --vocab ${V} --no-progress`;
  const npyCmd = `node ${cli} score --format npy --no-progress`;
  for (const t of THREADS) {
    cases.push({ name: `path${tag}`, format: "f32", threads: t, cmd: `${f32} --threads ${t} ${raw}` });
    cases.push({
      name: `\`< file\`${tag}`,
      format: "f32",
      threads: t,
      cmd: `${f32} --threads ${t} < ${raw}`,
    });
    cases.push({
      name: `through a pipe, \`cat file \\|\`${tag}`,
      format: "f32",
      threads: t,
      cmd: `cat ${raw} | ${f32} --threads ${t}`,
    });
    cases.push({ name: `path${tag}`, format: "npy", threads: t, cmd: `${npyCmd} --threads ${t} ${npy}` });
    cases.push({
      name: `through a pipe, \`cat file \\|\`${tag}`,
      format: "npy",
      threads: t,
      cmd: `cat ${npy} | ${npyCmd} --threads ${t}`,
    });
    for (const [format, cmd, file] of [
      ["f32", f32, raw],
      ["npy", npyCmd, npy],
    ]) {
      cases.push({
        name: `through a pipe given as a path, \`<(cat file)\`${tag}`,
        format,
        threads: t,
        cmd: `${cmd} --threads ${t} <(cat ${file})`,
      });
    }
  }
}

/** User + system seconds of this process's waited-for children so far (Linux), or NaN. */
function childCpuSeconds() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name's ")": state is field 3, cutime and cstime are fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) / 100; // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** Runs a command; its wall milliseconds and the CPU seconds of every process it ran. */
function run(command) {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", `set -o pipefail; ${command} > /dev/null`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error(`${command} exited ${r.status}`);
  return { ms: performance.now() - t0, cpu: childCpuSeconds() - cpu0 };
}

try {
  run(`cat ${raw} ${npy}`); // into the page cache
  const loadBefore = loadAverage();
  for (const c of cases) {
    c.ms = [];
    c.cpu = [];
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const c of cases) {
      const r = run(c.cmd);
      c.ms.push(r.ms);
      c.cpu.push(r.cpu);
    }
  }
  console.log(
    `cli score input — ${ROWS} rows × ${V} f32 (${(BYTES / 1e6).toFixed(0)} MB; .npy the same rows after a header), ${REPS} interleaved reps, ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; load average ${loadBefore} before, ${loadAverage()} after`,
  );
  tableHeader(
    [
      "input",
      "format",
      "threads",
      "wall ms (median)",
      "CPU s (median)",
      "MB/s",
      "rows/s",
      "vs `cat \\| cat` (median; per rep)",
      "vs path (median; per rep)",
    ],
    "lllrrrrll",
  );
  for (const c of cases) {
    const ms = median(c.ms);
    const catCat = cases.find((b) => b.ceiling && b.format === c.format);
    const ratios = c.ms.map((m, i) => catCat.ms[i] / m);
    const vsCat =
      c === catCat ? "1" : `${median(ratios).toFixed(2)}; ${ratios.map((r) => r.toFixed(2)).join(", ")}`;
    // The path with the same format, threads and build: what reading through a pipe costs beyond a file.
    const pathName = c.name.endsWith("(baseline)") ? "path (baseline)" : "path";
    const path = cases.find((b) => b.name === pathName && b.format === c.format && b.threads === c.threads);
    const pathRatios = path === undefined ? [] : c.ms.map((m, i) => path.ms[i] / m);
    const vsPath =
      path === undefined || path === c
        ? "—"
        : `${median(pathRatios).toFixed(2)}; ${pathRatios.map((r) => r.toFixed(2)).join(", ")}`;
    const rowsPerS = c.ceiling ? "—" : Math.round(ROWS / (ms / 1000)).toLocaleString("en-US");
    console.log(
      tableRow([
        c.name,
        c.format,
        c.threads,
        ms.toFixed(0),
        Number.isNaN(median(c.cpu)) ? "—" : median(c.cpu).toFixed(2),
        (BYTES / 1e6 / (ms / 1000)).toFixed(0),
        rowsPerS,
        vsCat,
        vsPath,
      ]),
    );
  }
  cpuBudget();
} finally {
  rmSync(raw, { force: true });
  rmSync(npy, { force: true });
}

/**
 * Item 3's goal against the cores: 0.70 of `cat | cat` means finishing in (its wall time) / 0.70, in which
 * the cores can give at most cores × that time of CPU; a pipeline that needs more CPU than that cannot
 * reach the goal however its work is spread.
 */
function cpuBudget() {
  const cores = cpus().length;
  const lines = [];
  for (const c of cases) {
    if (!c.name.startsWith("through a pipe") || Number.isNaN(median(c.cpu))) continue;
    const catCat = cases.find((b) => b.ceiling && b.format === c.format);
    const goalS = median(catCat.ms) / 0.7 / 1000;
    const need = median(c.cpu);
    lines.push(
      `- ${c.name.replaceAll("\\", "")}, ${c.format}, ${c.threads} thread(s): needs ${need.toFixed(2)} CPU-s; 0.70 of \`cat | cat\` means ${goalS.toFixed(2)} s, in which ${cores} cores give ${(cores * goalS).toFixed(2)} CPU-s${need > cores * goalS ? " — out of reach on this machine" : ""}`,
    );
  }
  if (lines.length > 0) console.log(`\nCPU budget (issue 20, item 3):\n${lines.join("\n")}`);
}
