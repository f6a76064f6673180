// Issue 8, part 2: bounded memory on an input larger than memory would allow. A generator process
// (scripts/reliability/genF16.mjs) produces 2 GiB of float16 rows on the fly and its stdout is the
// CLI's stdin (nothing is stored, nothing passes through this process); the CLI's peak resident
// memory (VmHWM: every thread of the process) is polled from /proc and must stay under 400 MB. A
// watchdog stops the run as soon as it passes the limit, so a regression fails in seconds, not minutes.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RecordChecker, SCRIPTS, spawnCli, watchPeakRss } from "./helpers.js";

const BYTES = 2 ** 31; // 2 GiB of input
const V = 32_768;
const ROWS = BYTES / (2 * V); // 32,768 rows of 64 KiB
const LIMIT_KB = 400 * 1000; // 400 MB
const ARGS = ["score", "--format", "f16", "--vocab", String(V), "--top", "64", "--threads", "2"];

interface Outcome {
  code: number | null;
  stderr: string;
  peakKb: number;
  killedAtKb: number;
  rowsOut: number;
  outBytes: number;
  error: string | undefined;
  summaries: number;
  seconds: number;
}

/**
 * generator | CLI, stdout read by this process; `slow` pauses the reading for `pauseMs` after every
 * 64 KiB, so the CLI's stdout pipe is full most of the time.
 */
async function pipeline(slow: { pauseMs: number } | undefined): Promise<Outcome> {
  const t0 = performance.now();
  const cli: ChildProcess = spawnCli(ARGS);
  // The generator writes straight into the CLI's stdin pipe; this process then closes its own end,
  // so the CLI sees end of input when the generator exits.
  const gen = spawn(process.execPath, [join(SCRIPTS, "genF16.mjs"), String(BYTES), String(V), "3"], {
    stdio: ["ignore", cli.stdin!, "inherit"],
  });
  cli.stdin!.destroy();
  let stderr = "";
  cli.stderr!.on("data", (b: Buffer) => {
    stderr += b;
  });
  const checker = new RecordChecker();
  let sinceLastPause = 0;
  cli.stdout!.on("data", (b: Buffer) => {
    checker.push(b);
    if (slow === undefined) return;
    sinceLastPause += b.length;
    if (sinceLastPause >= 65_536) {
      sinceLastPause = 0;
      cli.stdout!.pause();
      setTimeout(() => cli.stdout!.resume(), slow.pauseMs);
    }
  });
  let killedAtKb = 0;
  const watch = watchPeakRss(cli.pid!, LIMIT_KB, (kb) => {
    killedAtKb = kb;
    cli.kill("SIGKILL");
    gen.kill("SIGKILL");
  });
  const code = await new Promise<number | null>((resolve) => cli.on("close", (c) => resolve(c)));
  watch.stop();
  gen.kill();
  checker.end();
  return {
    code,
    stderr,
    peakKb: watch.peakKb(),
    killedAtKb,
    rowsOut: checker.rows,
    outBytes: checker.bytes,
    error: checker.error,
    summaries: checker.summaries,
    seconds: (performance.now() - t0) / 1000,
  };
}

function expectBounded(o: Outcome): void {
  // Printed for RELIABILITY.md (figures of the last run).
  console.log(
    `[memory] ${JSON.stringify({ inputBytes: BYTES, rows: ROWS, rowsOut: o.rowsOut, outBytes: o.outBytes, peakKb: o.peakKb, killedAtKb: o.killedAtKb, seconds: Math.round(o.seconds) })}`,
  );
  expect(
    o.killedAtKb,
    `peak RSS passed ${LIMIT_KB} kB after ${o.rowsOut} of ${ROWS} rows (${((o.rowsOut * 2 * V) / 1e6).toFixed(0)} MB of input)`,
  ).toBe(0);
  expect(o.stderr).toBe("");
  expect(o.code).toBe(0);
  expect(o.error).toBeUndefined();
  expect(o.rowsOut).toBe(ROWS);
  expect(o.summaries).toBe(1);
  expect(o.peakKb).toBeGreaterThan(0);
  expect(o.peakKb).toBeLessThan(LIMIT_KB);
}

describe("bounded memory: score over 2 GiB of float16 rows piped from a generator process", () => {
  it("scores every row, in order, with the CLI's peak resident memory under 400 MB", async () => {
    expectBounded(await pipeline(undefined));
  }, 600_000);

  it("stays under 400 MB when the consumer reads its stdout slowly", async () => {
    expectBounded(await pipeline({ pauseMs: 25 }));
  }, 600_000);
});
