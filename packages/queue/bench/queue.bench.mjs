// Distributed score on this machine: 1, 2, 3 `logitstream worker` processes (1 thread each) against
// the local run with --threads 1 and 2, for a shared-file input (workers read their own byte ranges)
// and a stdin pipe (rows travel through Redis as task blobs), plus the Redis overhead per task.
// Everything runs on one machine, so worker processes compete with the coordinator, Redis and each
// other for the same cores: read the ratios, not the absolute numbers, and expect no gain past the
// core count. Usage: node bench/queue.bench.mjs [--rows N] [--vocab V]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { rows: { type: "string" }, vocab: { type: "string" } } });
const VOCAB = Number(values.vocab ?? 32_000);
const ROWS = Number(values.rows ?? 1024);
const CLI = fileURLToPath(new URL("../../../apps/cli/dist/main.js", import.meta.url));
const env = { ...process.env, NODE_OPTIONS: "" };
const dir = mkdtempSync(join(tmpdir(), "ls-queue-bench-"));
const socket = join(dir, "redis.sock");
const url = `unix://${socket}`;

function rows(n, vocab, seed) {
  const f = new Float32Array(n * vocab);
  let s = seed >>> 0;
  for (let i = 0; i < f.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f[i] = (s / 2 ** 32 - 0.5) * 8;
  }
  return f;
}

/** Runs a shell command line; resolves to wall-clock seconds (it must exit 0). */
function timed(line) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn("sh", ["-c", line], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (b) => {
      err += b;
    });
    c.on("exit", (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code === 0) resolve(s);
      else reject(new Error(`${line}: exit ${code}\n${err}`));
    });
  });
}

function startWorkers(n) {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [CLI, "worker", "--queue", url, "--threads", "1"], { env, stdio: "ignore" }),
  );
}

async function stopAll(children) {
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null
        ? undefined
        : new Promise((r) => {
            c.once("exit", r);
            c.kill("SIGTERM");
          }),
    ),
  );
}

const redis = spawn(
  "redis-server",
  [
    "--port",
    "0",
    "--unixsocket",
    socket,
    "--save",
    "",
    "--appendonly",
    "no",
    "--maxmemory-policy",
    "noeviction",
  ],
  { stdio: "ignore" },
);
try {
  await new Promise((r) => setTimeout(r, 300));
  const file = join(dir, "rows.f32");
  writeFileSync(file, new Uint8Array(rows(ROWS, VOCAB, 1).buffer));
  const small = join(dir, "small.f32");
  writeFileSync(small, new Uint8Array(rows(2000, 32, 2).buffer));
  const mb = (ROWS * VOCAB * 4) / 1e6;
  const score = `node ${CLI} score --format f32 --vocab ${VOCAB} --no-progress`;
  const q = `--queue ${url} --task-rows 64`;
  console.log(
    `queue bench: score, ${ROWS} rows × ${VOCAB} f32 (${mb.toFixed(0)} MB); ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}`,
  );
  const table = [];
  const row = (name, s) =>
    table.push({ run: name, s: s.toFixed(2), "rows/s": Math.round(ROWS / s), "MB/s": (mb / s).toFixed(0) });
  const local1 = await timed(`${score} ${file} --threads 1`);
  row("local --threads 1", local1);
  row("local --threads 2", await timed(`${score} ${file} --threads 2`));
  for (const n of [1, 2, 3]) {
    const ws = startWorkers(n);
    try {
      await timed(`${score} ${small} --queue ${url} --task-rows 100`); // warm: workers connected, pools started
      row(`queue, ${n} worker${n > 1 ? "s" : ""}, shared file`, await timed(`${score} ${file} ${q}`));
      row(`queue, ${n} worker${n > 1 ? "s" : ""}, stdin pipe`, await timed(`cat ${file} | ${score} ${q}`));
    } finally {
      await stopAll(ws);
    }
  }
  for (const t of table) t["× local 1"] = (local1 / Number(t.s)).toFixed(2);
  console.table(table);
  // Redis overhead per task: 2,000 tiny rows as 1 task and as 200 tasks of 10 rows, one worker.
  const ws = startWorkers(1);
  try {
    const smallScore = `node ${CLI} score --format f32 --vocab 32 --no-progress --queue ${url}`;
    await timed(`${smallScore} ${small} --task-rows 2000`);
    const one = await timed(`${smallScore} ${small} --task-rows 2000`);
    const many = await timed(`${smallScore} ${small} --task-rows 10 --in-flight 16`);
    const fromPipe = await timed(`cat ${small} | ${smallScore} --task-rows 10 --in-flight 16`);
    console.log(
      `overhead per task (1 worker, 200 tasks of 10 rows vs 1 task): shared file ${(((many - one) / 199) * 1000).toFixed(2)} ms, stdin ${(((fromPipe - one) / 199) * 1000).toFixed(2)} ms`,
    );
  } finally {
    await stopAll(ws);
  }
} finally {
  redis.kill("SIGTERM");
  await new Promise((r) => redis.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
