// Issue 8, part 4: pipes and signals on large, multi-threaded jobs fed by a generator process that
// never stops on its own (so nothing finishes before the event under test): `| head -1`, a reader that
// closes the pipe, SIGINT/SIGTERM, stdin closing in the middle of a frame, a full disk.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bytesOf,
  CLI,
  checkRecords,
  hasStackTrace,
  makeRows,
  msgpackBatches,
  ndjsonRows,
  npyFile,
  runCli,
  SCRIPTS,
  safetensorsFile,
  sized,
  spawnCli,
} from "./helpers.js";

const V = 4096;
const ENDLESS = String(2 ** 50); // bytes: far more than any test reads
const GEN = join(SCRIPTS, "genF16.mjs");
const F16_ARGS = ["--format", "f16", "--vocab", String(V), "--threads", "2"];
/**
 * The signal cases act once output is past the rows the pool runs inline. Full: the default budget
 * (~4,000 rows of V), signalled after ~10,000 records. Reduced: a budget of 1,000 rows
 * (--inline-elements) and ~2,500 records, a quarter of the rows the CLI decodes and scores first.
 */
const SIGNAL_INLINE = sized([], ["--inline-elements", String(1_000 * V)]);
const SIGNAL_AFTER_BYTES = sized(400_000, 100_000);

/** Starts the CLI with an endless generator writing into its stdin. */
function endlessJob(args: readonly string[]): { cli: ChildProcess; gen: ChildProcess } {
  const cli = spawnCli(args);
  const gen = spawn(process.execPath, [GEN, ENDLESS, String(V), "9"], {
    stdio: ["ignore", cli.stdin!, "ignore"],
  });
  cli.stdin!.destroy();
  return { cli, gen };
}

interface Collected {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(cli: ChildProcess): Promise<Collected> {
  let stdout = "";
  let stderr = "";
  cli.stdout?.on("data", (b: Buffer) => {
    stdout += b.toString("latin1");
  });
  cli.stderr!.on("data", (b: Buffer) => {
    stderr += b;
  });
  return new Promise((resolve) =>
    cli.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Kills the process if it is still running after `ms` (a hang), so the test fails instead of timing out. */
function deadline(p: ChildProcess, ms: number): () => void {
  const t = setTimeout(() => p.kill("SIGKILL"), ms);
  return () => clearTimeout(t);
}

describe("pipes: a reader that stops reading", () => {
  it("exits 0 quietly under `| head -1` on an endless multi-threaded sample job", async () => {
    const sh = spawn(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" "${GEN}" ${ENDLESS} ${V} 4 | "${process.execPath}" "${CLI}" sample ${F16_ARGS.join(" ")} --seed 1 | head -1`,
      ],
      { env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const cancel = deadline(sh, 60_000);
    const r = await collect(sh);
    cancel();
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0); // pipefail: the generator and the CLI both exited 0
    expect(r.stdout).toMatch(/^\{"row":0,"token":\d+,"logprob":-?[\d.e-]+\}\n$/);
  }, 90_000);

  it("exits 0 quietly, without waiting for the rest of its input, when its reader closes the pipe mid-run", async () => {
    const { cli, gen } = endlessJob(["score", ...F16_ARGS]);
    const cancel = deadline(cli, 60_000);
    let stderr = "";
    cli.stderr!.on("data", (b: Buffer) => {
      stderr += b;
    });
    await new Promise<void>((resolve) => cli.stdout!.once("data", () => resolve()));
    cli.stdout!.destroy();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      cli.on("close", (c, s) => resolve([c, s])),
    );
    cancel();
    gen.kill();
    expect(signal).toBeNull();
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 90_000);
});

describe("signals during an endless multi-threaded job", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "on %s stops the workers, flushes complete records in order and exits %i",
    async (sig, expected) => {
      const { cli, gen } = endlessJob(["score", ...F16_ARGS, ...SIGNAL_INLINE]);
      const done = collect(cli);
      // Let it run until output flows (the workers are busy), then signal.
      await new Promise<void>((resolve) => {
        let seen = 0;
        cli.stdout!.on("data", (b: Buffer) => {
          seen += b.length;
          if (seen > SIGNAL_AFTER_BYTES) resolve(); // ~40 bytes a record: past the rows the pool runs inline
        });
      });
      const cancel = deadline(cli, 30_000);
      cli.kill(sig);
      const r = await done;
      cancel();
      gen.kill();
      expect(r.signal).toBeNull(); // exited by itself, not killed by the deadline
      expect(r.code).toBe(expected);
      expect(r.stderr).toBe("");
      // Every line a complete record, rows 0, 1, 2, … with no gap or repeat, and no summary of a partial run.
      const { rows, summary } = checkRecords(r.stdout);
      expect(rows).toBeGreaterThan(0);
      expect(summary).toBeUndefined();
    },
    90_000,
  );
});

describe("stdin closing in the middle of a frame", () => {
  const data = makeRows(10, 8, 5);
  const targets = Int32Array.from({ length: 10 }, (_, i) => i % 8);
  const CASES: readonly (readonly [string, Uint8Array, readonly string[], number])[] = [
    // name, full input, flags, bytes where the stream is cut (inside row/frame 6)
    ["raw f32", bytesOf(data), ["--format", "f32", "--vocab", "8"], 6 * 32 + 5],
    ["raw f16", new Uint8Array(10 * 16), ["--format", "f16", "--vocab", "8"], 6 * 16 + 3],
    ["npy", npyFile(data, 8), [], 128 + 6 * 32 + 31],
    ["safetensors", safetensorsFile(data, 8), [], -(3 * 32 + 1)],
    ["msgpack", msgpackBatches(data, 8, 1, targets), [], -1],
    ["ndjson", Buffer.from(ndjsonRows(data, 8)), [], -1],
  ];

  it.each(CASES)(
    "reports %s input cut inside row 6 as truncation (exit 65, frame and byte offset named) after writing rows 0–5",
    async (name, full, flags, cut) => {
      let bytes: Uint8Array;
      if (name === "ndjson") {
        const lines = ndjsonRows(data, 8).split("\n");
        bytes = Buffer.from(`${lines.slice(0, 6).join("\n")}\n${lines[6]!.slice(0, 20)}`);
      } else if (name === "msgpack") {
        bytes = full.subarray(0, (full.length / 10) * 6 + 9); // frames are all the same length
      } else bytes = full.subarray(0, cut < 0 ? full.length + cut : cut);
      // A live pipe: the first part, a pause (the CLI has read it), then end of input mid-frame.
      const child = spawnCli(["score", ...flags]);
      const done = collect(child);
      child.stdin!.on("error", () => {});
      child.stdin!.write(bytes.subarray(0, 20));
      await new Promise((r) => setTimeout(r, 200));
      child.stdin!.end(bytes.subarray(20));
      const r = await done;
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.code).toBe(65);
      expect(r.stderr).toMatch(/^logitstream score: [^\n]+\n$/);
      expect(r.stderr).toMatch(/frame 6\b/);
      expect(r.stderr).toMatch(/byte offset \d+/);
      expect(r.stderr).toMatch(/cut short|truncat|ends inside|incomplete|unexpected end/i);
      expect(checkRecords(r.stdout).rows).toBe(6);
    },
  );
});

describe("output errors", () => {
  it("reports a full disk (/dev/full as stdout) with exit 74 and one line, no stack trace, on a multi-threaded job", async () => {
    const r = await runCli(["score", ...F16_ARGS, "--top", "8"], {
      stdin: new Uint8Array(8000 * V * 2), // 8,000 rows of zeros (64 MB of f16), half past the inline rows
      timeoutMs: 60_000,
      stdoutPath: "/dev/full",
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(74);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).toMatch(/^logitstream score: cannot write the output: ENOSPC[^\n]*\n$/);
  }, 90_000);
});
