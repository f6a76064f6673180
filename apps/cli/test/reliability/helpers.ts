// Helpers of the reliability suite (issue 8): run the built CLI as a child process — optionally with
// test-only preloads — measure its peak memory, and check its records row by row. The data encoders
// here are written from the format specs, independently of @logitstream/wire.
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `pnpm test` runs this suite at reduced sizes (the same tests, smaller inputs, fewer fuzz cases) so the
 * default loop stays fast; `pnpm test:full` sets LOGITSTREAM_FULL_TESTS=1 for the multi-GiB and full fuzz runs.
 */
export const FULL = process.env.LOGITSTREAM_FULL_TESTS === "1";

/** `full` under LOGITSTREAM_FULL_TESTS=1, otherwise `quick`. */
export function sized<T>(full: T, quick: T): T {
  return FULL ? full : quick;
}

export const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
export const CLI = join(REPO, "apps/cli/dist/main.js");
export const SCRIPTS = join(REPO, "scripts/reliability");
/** Test-only preload of the pool package: swaps the worker for one that injects faults by row. */
export const FAULT_PRELOAD = join(REPO, "packages/pool/test/fixtures/injectFaults.mjs");
/** Test-only preload of this suite: reports peak RSS and prototype pollution at exit. */
export const REPORT_PRELOAD = join(SCRIPTS, "report.mjs");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  /** From report.mjs, when the run had it preloaded and exited normally. */
  report?: Report;
}

export interface Report {
  /** Peak resident set (VmHWM) of the whole CLI process (every thread), in KiB. */
  maxRssKb: number;
  /** Own properties of Object.prototype / Array.prototype that were not there at start-up. */
  addedToObjectPrototype: string[];
  addedToArrayPrototype: string[];
  /** With the fault preload: each fault's counter at exit (`times` − attempts at its row). */
  faultCounters?: number[];
}

export function tempDir(prefix = "logitstream-reliability-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

let reportSeq = 0;

export interface SpawnOptions {
  /** Preloads given to node with --import (faults, report). */
  preload?: readonly string[];
  env?: Record<string, string>;
  stdio?: StdioOptions;
}

/** Spawns `node [--import preload…] apps/cli/dist/main.js ...args`, as a user would run it. */
export function spawnCli(args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const pre = (opts.preload ?? []).flatMap((p) => ["--import", p]);
  return spawn(process.execPath, [...pre, CLI, ...args], {
    stdio: opts.stdio ?? ["pipe", "pipe", "pipe"],
    // No `--conditions development` from vitest: the CLI runs its built dist like a user's.
    env: { ...process.env, NODE_OPTIONS: "", ...opts.env },
  });
}

/**
 * Runs the CLI to completion with `stdin` (bytes, or nothing) and the report preload; kills it after
 * `timeoutMs` (then `code` is null and `signal` SIGKILL).
 */
export async function runCli(
  args: readonly string[],
  opts: {
    stdin?: Uint8Array | string;
    preload?: readonly string[];
    env?: Record<string, string>;
    timeoutMs?: number;
    /** Opened for writing and given to the CLI as its stdout (e.g. /dev/full); stdout is then empty here. */
    stdoutPath?: string;
  } = {},
): Promise<RunResult> {
  const reportPath = join(tmpdir(), `logitstream-report-${process.pid}-${reportSeq++}.json`);
  const outFd = opts.stdoutPath === undefined ? undefined : openSync(opts.stdoutPath, "w");
  const child = spawnCli(args, {
    preload: [...(opts.preload ?? []), REPORT_PRELOAD],
    env: { ...opts.env, LOGITSTREAM_RELIABILITY_REPORT: reportPath },
    stdio: ["pipe", outFd ?? "pipe", "pipe"],
  });
  if (outFd !== undefined) closeSync(outFd);
  const t0 = performance.now();
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => err.push(b));
  child.stdin!.on("error", () => {}); // the CLI may stop reading (bad data) before the input ends
  child.stdin!.end(opts.stdin ?? "");
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  const result: RunResult = {
    code,
    signal,
    stdout: Buffer.concat(out),
    stderr: Buffer.concat(err).toString("utf8"),
    ms: performance.now() - t0,
  };
  try {
    result.report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
    rmSync(reportPath, { force: true });
  } catch {
    // no report: the process was killed
  }
  return result;
}

/**
 * Polls /proc/<pid>/status for VmHWM (peak resident set) every `everyMs`; calls `onOver` once if it
 * passes `limitKb`. Returns a getter of the highest value seen and a stop function.
 */
export function watchPeakRss(
  pid: number,
  limitKb: number,
  onOver: (kb: number) => void,
  everyMs = 100,
): { peakKb: () => number; stop: () => void } {
  let peak = 0;
  let fired = false;
  const timer = setInterval(() => {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      return; // exited
    }
    const m = /VmHWM:\s+(\d+) kB/.exec(text);
    if (m === null) return;
    const kb = Number(m[1]);
    if (kb > peak) peak = kb;
    if (kb > limitKb && !fired) {
      fired = true;
      onOver(kb);
    }
  }, everyMs);
  return { peakKb: () => peak, stop: () => clearInterval(timer) };
}

/** Whether the text looks like a JavaScript stack trace (what the CLI must never print). */
export function hasStackTrace(stderr: string): boolean {
  return /\n\s+at .+[(:]\d+/.test(stderr) || /^\s+at /m.test(stderr);
}

/**
 * Checks NDJSON records: every line is a complete JSON object; rows appear as 0, 1, 2, … in order
 * (none lost, none duplicated); an optional summary line comes last. Returns 1 + the last row seen
 * (the row count when there are no gaps) and the summary. Throws naming the first offending line.
 */
export function checkRecords(
  text: string,
  opts: { summary?: boolean; gaps?: boolean } = {},
): { rows: number; summary?: unknown } {
  if (text !== "" && !text.endsWith("\n")) throw new Error("stdout does not end with a complete line");
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  let rows = 0;
  let summary: unknown;
  for (let i = 0; i < lines.length; i++) {
    const rec = JSON.parse(lines[i]!) as { row?: unknown; summary?: unknown };
    if (rec.summary !== undefined) {
      if (!opts.summary || i !== lines.length - 1) throw new Error(`line ${i + 1}: unexpected summary`);
      summary = rec.summary;
      continue;
    }
    // With --on-error skip a skipped row leaves a gap (rows keep their input index); never a repeat.
    const ok = opts.gaps ? typeof rec.row === "number" && rec.row >= rows : rec.row === rows;
    if (!ok) throw new Error(`line ${i + 1}: row ${String(rec.row)} where row ${rows} was expected`);
    rows = (rec.row as number) + 1;
  }
  if (opts.summary && summary === undefined && lines.length > 0) throw new Error("no summary line");
  return summary === undefined ? { rows } : { rows, summary };
}

/**
 * A streaming version of checkRecords for outputs too large to hold: feed it stdout chunks.
 * `rows` counts the records in order; `error` holds the first violation.
 */
export class RecordChecker {
  rows = 0;
  summaries = 0;
  error: string | undefined;
  bytes = 0;
  #tail = "";
  push(b: Buffer): void {
    this.bytes += b.length;
    const text = this.#tail + b.toString("latin1");
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      this.#line(text.slice(start, nl));
      start = nl + 1;
    }
    this.#tail = text.slice(start);
  }
  #line(line: string): void {
    if (this.error !== undefined) return;
    if (line.startsWith('{"summary"')) {
      this.summaries++;
      return;
    }
    if (this.summaries > 0) {
      this.error = `a record after the summary: ${line.slice(0, 80)}`;
      return;
    }
    const m = /^\{"row":(\d+),/.exec(line);
    if (m === null || Number(m[1]) !== this.rows) {
      this.error = `record ${this.rows}: expected row ${this.rows}, got ${line.slice(0, 80)}`;
      return;
    }
    this.rows++;
  }
  end(): void {
    if (this.#tail !== "" && this.error === undefined)
      this.error = `incomplete last line: ${this.#tail.slice(0, 80)}`;
  }
}

// ---------- encoders (from the format specs) ----------

/** Deterministic logits in [-5, 5) for element i (row-major), exact in float32. */
export function logitAt(i: number): number {
  return ((Math.imul(i, 2654435761) >>> 0) % 1000) / 100 - 5;
}

export function makeRows(rows: number, vocab: number, offset = 0): Float32Array {
  const f = new Float32Array(rows * vocab);
  for (let i = 0; i < f.length; i++) f[i] = logitAt(offset + i);
  return f;
}

export function bytesOf(f: Float32Array): Uint8Array {
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

function packUint(n: number, out: number[]): void {
  if (n < 128) out.push(n);
  else if (n < 256) out.push(0xcc, n);
  else if (n < 65536) out.push(0xcd, n >> 8, n & 0xff);
  else out.push(0xce, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function packStr(s: string, out: number[]): void {
  out.push(0xa0 | s.length, ...Buffer.from(s, "latin1"));
}

/**
 * msgpack batch frames `{logits: bin(f32 LE), rows, vocab, targets?}` of `rowsPerFrame` rows each
 * (single-row frames carry `target` when rowsPerFrame is 1).
 */
export function msgpackBatches(
  data: Float32Array,
  vocab: number,
  rowsPerFrame: number,
  targets?: Int32Array,
): Uint8Array {
  const rows = data.length / vocab;
  const parts: Uint8Array[] = [];
  for (let first = 0; first < rows; first += rowsPerFrame) {
    const n = Math.min(rowsPerFrame, rows - first);
    const head: number[] = [0x80 | (targets ? 4 : 3)];
    packStr("rows", head);
    packUint(n, head);
    packStr("vocab", head);
    packUint(vocab, head);
    if (targets) {
      packStr("targets", head);
      if (n < 16) head.push(0x90 | n);
      else head.push(0xdc, n >> 8, n & 0xff);
      for (let r = 0; r < n; r++) packUint(targets[first + r]!, head);
    }
    packStr("logits", head);
    const bin = bytesOf(data.subarray(first * vocab, (first + n) * vocab));
    head.push(
      0xc6,
      (bin.length >>> 24) & 0xff,
      (bin.length >>> 16) & 0xff,
      (bin.length >>> 8) & 0xff,
      bin.length & 0xff,
    );
    parts.push(Uint8Array.from(head), bin.slice());
  }
  return Buffer.concat(parts);
}

/** NDJSON arrays, one row per line, numbers printed exactly (shortest round trip of the float32 value). */
export function ndjsonRows(data: Float32Array, vocab: number, targets?: Int32Array): string {
  const rows = data.length / vocab;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(data.subarray(r * vocab, (r + 1) * vocab));
    out.push(
      targets ? `{"logits":${JSON.stringify(row)},"target":${targets[r]}}\n` : `${JSON.stringify(row)}\n`,
    );
  }
  return out.join("");
}

/** A .npy v1.0 file of shape (rows, vocab), `<f4`. */
export function npyFile(data: Float32Array, vocab: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${data.length / vocab}, ${vocab}), }`;
  header += `${" ".repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const pre = Buffer.alloc(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, "latin1"), bytesOf(data)]);
}

/** A safetensors file with one F32 tensor `logits` of shape (rows, vocab). */
export function safetensorsFile(data: Float32Array, vocab: number): Uint8Array {
  let json = JSON.stringify({
    logits: { dtype: "F32", shape: [data.length / vocab, vocab], data_offsets: [0, data.byteLength] },
  });
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json, "latin1"), bytesOf(data)]);
}
