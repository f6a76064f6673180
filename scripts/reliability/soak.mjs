#!/usr/bin/env node
// Long reliability soak for logitstream (issue 8), outside the CI test run. Build first (`pnpm build`).
//
//   node scripts/reliability/soak.mjs [--gb 20] [--vocab 32768] [--slow-ms 0] [--fault-rounds 20] [--seed 1]
//
// 1. Memory: `score` over --gb GiB of float16 rows from the generator process (genF16.mjs) piped into
//    the CLI, stdout read by this script (with --slow-ms N it pauses N ms after every 64 KiB read).
//    The CLI's peak RSS (VmHWM) is polled every 100 ms; the soak fails if it passes 400 MB (the run is
//    stopped there) or if any record is missing, repeated or out of order.
// 2. Faults: --fault-rounds runs of a 200,000-row msgpack `score` job with 1–3 worker faults (exit or
//    throw, at seeded random rows, fired once each) through the pool's test-only preload; each run must
//    give output byte-identical to the clean run. Faults are placed past the rows the pool runs inline
//    before it starts its workers; a fault that still did not fire is counted as such.
//
// Prints one JSON line per phase and a summary; exits 1 on any failure. Linux only (/proc).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(REPO, "apps/cli/dist/main.js");
const GEN = join(REPO, "scripts/reliability/genF16.mjs");
const FAULTS = join(REPO, "packages/pool/test/fixtures/injectFaults.mjs");
const REPORT = join(REPO, "scripts/reliability/report.mjs");
const LIMIT_KB = 400 * 1000;

const { values } = parseArgs({
  options: {
    gb: { type: "string", default: "20" },
    vocab: { type: "string", default: "32768" },
    "slow-ms": { type: "string", default: "0" },
    "fault-rounds": { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
  },
});
const GIB = Number(values.gb);
const V = Number(values.vocab);
const SLOW = Number(values["slow-ms"]);
const ROUNDS = Number(values["fault-rounds"]);
let seed = Number(values.seed) >>> 0;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const env = { ...process.env, NODE_OPTIONS: "" };
let failed = false;
const log = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

function vmHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function memorySoak() {
  const bytes = Math.floor((GIB * 2 ** 30) / (2 * V)) * 2 * V;
  const rows = bytes / (2 * V);
  const t0 = performance.now();
  const cli = spawn(
    process.execPath,
    [CLI, "score", "--format", "f16", "--vocab", String(V), "--top", "64", "--threads", "2"],
    {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const gen = spawn(process.execPath, [GEN, String(bytes), String(V), "11"], {
    stdio: ["ignore", cli.stdin, "inherit"],
  });
  cli.stdin.destroy();
  let stderr = "";
  cli.stderr.on("data", (b) => {
    stderr += b;
  });
  let expected = 0;
  let tail = "";
  let error;
  let summaries = 0;
  let since = 0;
  cli.stdout.on("data", (b) => {
    const text = tail + b.toString("latin1");
    const lines = text.split("\n");
    tail = lines.pop();
    for (const line of lines) {
      if (line.startsWith('{"summary"')) summaries++;
      else if (error === undefined && !line.startsWith(`{"row":${expected},`))
        error = `expected row ${expected}: ${line.slice(0, 60)}`;
      else expected++;
    }
    since += b.length;
    if (SLOW > 0 && since >= 65536) {
      since = 0;
      cli.stdout.pause();
      setTimeout(() => cli.stdout.resume(), SLOW);
    }
  });
  let peak = 0;
  let over = false;
  const timer = setInterval(() => {
    peak = Math.max(peak, vmHwmKb(cli.pid));
    if (peak > LIMIT_KB && !over) {
      over = true;
      cli.kill("SIGKILL");
      gen.kill("SIGKILL");
    }
  }, 100);
  const code = await new Promise((resolve) => cli.on("close", resolve));
  clearInterval(timer);
  const seconds = (performance.now() - t0) / 1000;
  const ok =
    !over && code === 0 && error === undefined && expected === rows && summaries === 1 && stderr === "";
  if (!ok) failed = true;
  log({
    phase: "memory",
    ok,
    inputBytes: bytes,
    rows,
    rowsOut: expected,
    peakRssKb: peak,
    stoppedOverLimit: over,
    code,
    seconds: Math.round(seconds),
    inputMBps: Math.round(bytes / 1e6 / seconds),
    slowConsumerMs: SLOW,
    error,
    stderr: stderr.slice(0, 300),
  });
}

function run(args, faults) {
  const reportPath = join(tmpdir(), `soak-report-${process.pid}-${Math.random()}.json`);
  const pre = faults ? ["--import", FAULTS, "--import", REPORT] : [];
  const child = spawn(process.execPath, [...pre, CLI, ...args], {
    env: {
      ...env,
      LOGITSTREAM_TEST_FAULTS: JSON.stringify(faults ?? []),
      LOGITSTREAM_RELIABILITY_REPORT: reportPath,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const hash = createHash("sha256");
  let stderr = "";
  child.stdout.on("data", (b) => hash.update(b));
  child.stderr.on("data", (b) => {
    stderr += b;
  });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      let report;
      try {
        report = JSON.parse(readFileSync(reportPath, "utf8"));
        rmSync(reportPath);
      } catch {}
      resolve({ code, digest: hash.digest("hex"), stderr, report });
    }),
  );
}

async function faultSoak() {
  const dir = mkdtempSync(join(tmpdir(), "logitstream-soak-"));
  try {
    const ROWS = 200_000;
    const VOC = 64;
    const parts = [];
    const f = new Float32Array(ROWS * VOC);
    for (let i = 0; i < f.length; i++) f[i] = ((Math.imul(i, 2654435761) >>> 0) % 1000) / 100 - 5;
    for (let first = 0; first < ROWS; first += 250) {
      const n = 250;
      const h = [0x84, 0xa4, ...Buffer.from("rows"), 0xcc, n, 0xa5, ...Buffer.from("vocab"), VOC];
      h.push(0xa7, ...Buffer.from("targets"), 0xdc, n >> 8, n & 0xff);
      for (let r = 0; r < n; r++) h.push(((first + r) * 7) % VOC);
      h.push(0xa6, ...Buffer.from("logits"));
      const bin = Buffer.from(f.buffer, first * VOC * 4, n * VOC * 4);
      h.push(
        0xc6,
        (bin.length >>> 24) & 255,
        (bin.length >>> 16) & 255,
        (bin.length >>> 8) & 255,
        bin.length & 255,
      );
      parts.push(Buffer.from(h), bin);
    }
    const path = join(dir, "rows.msgpack");
    writeFileSync(path, Buffer.concat(parts));
    const args = ["score", path, "--threads", "2"];
    const clean = await run(args);
    // Rows the pool runs inline before it starts the workers never meet a fault worker: aim past them.
    const { DEFAULT_INLINE_THRESHOLD } = await import(join(REPO, "packages/pool/dist/index.js"));
    const firstWorkerRow = Math.min(
      ROWS - 1000,
      (Math.floor(DEFAULT_INLINE_THRESHOLD / (VOC * 250)) + 1) * 250,
    );
    let fired = 0;
    let notFired = 0;
    let bad = 0;
    const t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const faults = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
        row: firstWorkerRow + Math.floor(rnd() * (ROWS - firstWorkerRow)),
        kind: rnd() < 0.5 ? "exit" : "throw",
        times: 1,
      }));
      const r = await run(args, faults);
      for (const c of r.report?.faultCounters ?? []) {
        if (c < 1) fired++;
        else notFired++;
      }
      const ok = r.code === 0 && r.digest === clean.digest && r.stderr === "";
      if (!ok) {
        bad++;
        failed = true;
        log({ phase: "faults", round: i, ok, faults, code: r.code, stderr: r.stderr.slice(0, 300) });
      }
    }
    log({
      phase: "faults",
      ok: bad === 0 && clean.code === 0,
      rounds: ROUNDS,
      rowsPerRound: ROWS,
      faultsFired: fired,
      faultsNotFired: notFired,
      failedRounds: bad,
      seconds: Math.round((performance.now() - t0) / 1000),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (GIB > 0) await memorySoak();
if (ROUNDS > 0) await faultSoak();
log({ soak: failed ? "FAILED" : "ok" });
process.exit(failed ? 1 : 0);
