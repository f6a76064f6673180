// Issue 8, part 2: bounded memory on an input larger than memory would allow. A generator process
// (scripts/reliability/genF16.mjs) produces 2 GiB (`pnpm test:full`; 320 MiB under `pnpm test`) of
// float16 rows on the fly and its stdout is the CLI's stdin (nothing is stored, nothing passes through
// this process); the CLI's peak resident memory (VmHWM: every thread of the process) is polled from
// /proc and must stay under the limit: 400 MB at the full size, 320 MB at the reduced one, so the input
// is larger than the limit either way. A watchdog stops the run as soon as it passes the limit, so a
// regression fails in seconds, not minutes.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createPool } from "@logitstream/pool";
import { type ByteChunk, frameChunks } from "@logitstream/wire";
import { describe, expect, it } from "vitest";
import { RecordChecker, removeDir, SCRIPTS, sized, spawnCli, tempDir, watchPeakRss } from "./helpers.js";

// Why the reduced size still proves the bound: with --threads 2 the CLI's own baseline (64 rows through
// both workers) peaks at ~109 MB (score) and ~122 MB (compare), and its steady peak while streaming is
// ~175–185 MB (score) and ~210–245 MB (compare) from 128 MiB of input on; 320 MB is well above both. An input
// of 320 MiB (335.5 MB, and 2 × 160 MiB for compare) is larger than the limit, and a CLI that kept all of
// it would need baseline + input ≈ 445 MB; it fails if it keeps more than ~60 % of its input, as the
// full size (400 MB against 2 GiB + baseline) fails it past ~14 % and the earlier 512 MiB against 400 MB
// past ~54 %. The regressions found here fail it too: score passed 400 MB after ~170 MB of input and
// compare after 1,478 row pairs (~194 MB of input), both well inside 320 MiB, and a lower limit is
// passed no later.
const BYTES = sized(2 ** 31, 320 * 2 ** 20); // 2 GiB of input (320 MiB at the reduced size)
const V = 32_768;
const ROWS = BYTES / (2 * V); // 32,768 rows of 64 KiB (5,120 reduced)
const LIMIT_KB = sized(400, 320) * 1000; // 400 MB (320 MB at the reduced size)
const LIMIT = `${LIMIT_KB / 1000} MB`;
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
  return watchToExit(cli, [gen], checker, t0);
}

/**
 * Collects the CLI's stderr and waits for it to exit while polling its peak resident memory: past the
 * limit, the CLI and its generators are killed at once (a regression fails in seconds, not minutes).
 */
async function watchToExit(
  cli: ChildProcess,
  generators: readonly ChildProcess[],
  checker: RecordChecker,
  t0: number,
): Promise<Outcome> {
  let stderr = "";
  cli.stderr!.on("data", (b: Buffer) => {
    stderr += b;
  });
  let killedAtKb = 0;
  const watch = watchPeakRss(cli.pid!, LIMIT_KB, (kb) => {
    killedAtKb = kb;
    cli.kill("SIGKILL");
    for (const g of generators) g.kill("SIGKILL");
  });
  const code = await new Promise<number | null>((resolve) => cli.on("close", (c) => resolve(c)));
  watch.stop();
  for (const g of generators) g.kill();
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

function expectBounded(o: Outcome, rows = ROWS, inputBytes = BYTES, tag = "memory"): void {
  // Printed for RELIABILITY.md (figures of the last run).
  console.log(
    `[${tag}] ${JSON.stringify({ inputBytes, rows, rowsOut: o.rowsOut, outBytes: o.outBytes, peakKb: o.peakKb, killedAtKb: o.killedAtKb, seconds: Math.round(o.seconds) })}`,
  );
  expect(
    o.killedAtKb,
    `peak RSS passed ${LIMIT_KB} kB after ${o.rowsOut} of ${rows} rows (${((o.rowsOut * inputBytes) / rows / 1e6).toFixed(0)} MB of input)`,
  ).toBe(0);
  expect(o.stderr).toBe("");
  expect(o.code).toBe(0);
  expect(o.error).toBeUndefined();
  expect(o.rowsOut).toBe(rows);
  expect(o.summaries).toBe(1);
  expect(o.peakKb).toBeGreaterThan(0);
  expect(o.peakKb).toBeLessThan(LIMIT_KB);
}

describe(`bounded memory: score over ${BYTES / 2 ** 20} MiB of float16 rows piped from a generator process`, () => {
  it(`scores every row, in order, with the CLI's peak resident memory under ${LIMIT}`, async () => {
    expectBounded(await pipeline(undefined));
  }, 600_000);

  it(`stays under ${LIMIT} when the consumer reads its stdout slowly`, async () => {
    expectBounded(await pipeline({ pauseMs: 25 }));
  }, 600_000);
});

// compare reads two inputs and writes each row pair into the pool's recycled slabs, each input's chunks
// into reused buffers: BASE from a generator through stdin, NEW from a second generator through a named
// FIFO (a path that is not a regular file), 2 × 1 GiB (2 × 160 MiB at the reduced size: together 335.5 MB,
// still more than the 320 MB limit; see LIMIT_KB).
const COMPARE_BYTES = sized(2 ** 30, 160 * 2 ** 20);
const COMPARE_ROWS = COMPARE_BYTES / (2 * V);

async function comparePipeline(): Promise<Outcome> {
  const t0 = performance.now();
  const dir = tempDir();
  const fifo = join(dir, "new.f16");
  try {
    execFileSync("mkfifo", [fifo]);
    const gen = (seed: string) => [join(SCRIPTS, "genF16.mjs"), String(COMPARE_BYTES), String(V), seed];
    const cli: ChildProcess = spawnCli([
      "compare",
      "--format",
      "f16",
      "--vocab",
      String(V),
      "--threads",
      "2",
      "-",
      fifo,
    ]);
    const genBase = spawn(process.execPath, gen("3"), { stdio: ["ignore", cli.stdin!, "inherit"] });
    cli.stdin!.destroy();
    // The FIFO's writer: opening it waits for the CLI to open it for reading, so a shell does the open.
    const genNew = spawn("sh", ["-c", 'exec "$0" "$@" > "$FIFO"', process.execPath, ...gen("4")], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, FIFO: fifo },
    });
    const checker = new RecordChecker();
    cli.stdout!.on("data", (b: Buffer) => checker.push(b));
    return await watchToExit(cli, [genBase, genNew], checker, t0);
  } finally {
    removeDir(dir);
  }
}

describe(`bounded memory: compare over 2 × ${COMPARE_BYTES / 2 ** 20} MiB of float16 rows from two generator processes`, () => {
  it(`compares every row pair, in order, with the CLI's peak resident memory under ${LIMIT}`, async () => {
    expectBounded(await comparePipeline(), COMPARE_ROWS, 2 * COMPARE_BYTES, "memory compare");
  }, 600_000);
});

// Two causes of unbounded memory, pinned down in process (fast, and they name the function at fault).

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collectGarbage(): Promise<void> {
  // WeakRef targets are kept until the current job ends: let it end, then collect.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
}

describe("what a streaming run keeps alive", () => {
  it("pool.run holds no reference to the chunks it has already delivered", async () => {
    const pool = createPool({ threads: 1, inlineThreshold: Number.POSITIVE_INFINITY });
    const refs: WeakRef<Uint8Array>[] = [];
    const VOCAB = 64;
    function* chunks(): Generator<ByteChunk> {
      for (let i = 0; i < 200; i++) {
        const bytes = new Uint8Array(64 * VOCAB * 4); // 64 rows of zeros
        refs.push(new WeakRef(bytes));
        yield {
          format: "f32",
          firstRow: i * 64,
          rows: 64,
          firstFrame: i * 64,
          bytes,
          byteOffset: i * bytes.length,
          vocab: VOCAB,
          dtype: "f32",
        };
      }
    }
    let rows = 0;
    for await (const r of pool.run(chunks(), { kind: "score", output: "ndjson" })) rows += r.rows;
    expect(rows).toBe(200 * 64);
    await collectGarbage();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    await pool.close();
    // At most the window (2 × threads) may legitimately still be referenced; every delivered chunk
    // should be garbage. (orderedWindow races every step against the never-settling stop promise, whose
    // reaction list then keeps each step's resolved value — the pulled chunk — for the pool's lifetime.)
    expect(alive, `${alive} of 200 delivered chunks are still reachable`).toBeLessThanOrEqual(4);
  });

  it("frameChunks over one large in-memory NDJSON buffer gives chunks that own only their bytes", async () => {
    // 16 MB in one piece (a Buffer a library user passes in). Each chunk should own about its own bytes;
    // wire's ByteSource.detach hands out a view of the whole read buffer and copies the rest of the
    // input to a new one for every chunk: quadratic time (67 MB: ~2 minutes) and each chunk pins the rest.
    const line = `[${new Array(256).fill("0.5").join(",")}]\n`;
    const input = Buffer.from(line.repeat(16_384));
    let worst = 0;
    let chunks = 0;
    for await (const c of frameChunks([input])) {
      chunks++;
      worst = Math.max(worst, c.bytes.buffer.byteLength / c.bytes.byteLength);
    }
    expect(chunks).toBe(256);
    expect(worst, "largest ratio of a chunk's buffer to its bytes").toBeLessThan(2);
  }, 120_000);
});
