// `logits` streams: a text whose logits are three times larger than the memory limit is written to a
// .npy file and to a slowly read stdout pipe, and the CLI's peak resident memory (VmHWM, every thread)
// stays under the limit. The embedded n-gram model (V = 100,277) makes each token's row 400 KB, so
// 3,000 tokens give 1.2 GB of float32 logits. The rows are checked too: the n-gram model predicts from
// the last two tokens only, so a text's first rows do not depend on what follows them — the rows of a
// short prefix, written by a separate run, must equal the long run's first rows bit for bit.
import { closeSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, spawnCli, tempDir, watchPeakRss } from "./helpers.js";

const LIMIT_KB = 400 * 1000; // 400 MB
const WORDS = 3000;
const PREFIX_WORDS = 200;
const dir = tempDir("logitstream-logits-memory-");
afterAll(() => removeDir(dir));

/** A deterministic text of common English words (xorshift over a fixed list): the n-gram model knows them. */
function text(words: number): string {
  const list = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but " +
    "have an they you were her one all we there been their has would when if so no more out who can its " +
    "what up said about into than them only other time new some could these two may first then do any"
  ).split(" ");
  let s = 7;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out.push(list[(s >>> 0) % list.length]!);
  }
  return out.join(" ");
}

interface Run {
  code: number | null;
  stderr: string;
  peakKb: number;
  stdoutBytes: number;
}

/**
 * Runs the CLI; with `pauseMs`, stdout is read with a pause after every MiB (a reader slower than the
 * CLI writes, so the CLI meets backpressure the whole run).
 */
async function run(args: string[], pauseMs = 0): Promise<Run> {
  const cli = spawnCli(args);
  cli.stdin!.end();
  let stderr = "";
  cli.stderr!.on("data", (b: Buffer) => {
    stderr += b;
  });
  let stdoutBytes = 0;
  let since = 0;
  cli.stdout!.on("data", (b: Buffer) => {
    stdoutBytes += b.length;
    since += b.length;
    if (pauseMs > 0 && since >= 1 << 20) {
      since = 0;
      cli.stdout!.pause();
      setTimeout(() => cli.stdout!.resume(), pauseMs);
    }
  });
  const watch = watchPeakRss(cli.pid!, LIMIT_KB, () => cli.kill("SIGKILL"), 50);
  const code = await new Promise<number | null>((resolve) => cli.on("close", (c) => resolve(c)));
  watch.stop();
  return { code, stderr, peakKb: watch.peakKb(), stdoutBytes };
}

/** shape and the byte offset of the data of a float32 .npy file (header parsed by hand, from the format). */
function npyShape(path: string): { shape: number[]; dataOffset: number } {
  const fd = openSync(path, "r");
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  expect(head.subarray(0, 6).toString("latin1")).toBe("\x93NUMPY");
  const len = head.readUInt16LE(8);
  const dict = head.subarray(10, 10 + len).toString("latin1");
  expect(dict).toContain("'descr': '<f4'");
  const shape = /'shape': \((\d+), (\d+)\)/.exec(dict)!;
  return { shape: [Number(shape[1]), Number(shape[2])], dataOffset: 10 + len };
}

describe("logits keeps memory bounded on an output three times the limit", () => {
  const long = join(dir, "long.txt");
  const short = join(dir, "short.txt");
  writeFileSync(long, text(WORDS));
  writeFileSync(short, text(WORDS).split(" ").slice(0, PREFIX_WORDS).join(" "));

  it("-o out.npy: every row written, the prefix's rows equal, peak RSS under 400 MB", async () => {
    const npy = join(dir, "long.npy");
    const r = await run(["logits", "--text", long, "-o", npy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.peakKb).toBeGreaterThan(0);
    expect(r.peakKb).toBeLessThan(LIMIT_KB);
    const { shape, dataOffset } = npyShape(npy);
    const [rows, vocab] = shape as [number, number];
    expect(vocab).toBe(100_277);
    expect(rows).toBeGreaterThanOrEqual(WORDS); // at least a token per word, plus BOS
    expect(statSync(npy).size).toBe(dataOffset + rows * vocab * 4);
    expect(rows * vocab * 4).toBeGreaterThan(3 * LIMIT_KB * 1000);

    const prefixNpy = join(dir, "short.npy");
    const p = await run(["logits", "--text", short, "-o", prefixNpy]);
    expect(p.code, p.stderr).toBe(0);
    const prefix = npyShape(prefixNpy);
    // The prefix's last word may tokenize differently at the text's end: compare the rows before it.
    const common = prefix.shape[0]! - 2;
    expect(common).toBeGreaterThan(PREFIX_WORDS / 2);
    const bytes = common * vocab * 4;
    const a = Buffer.alloc(bytes);
    const b = Buffer.alloc(bytes);
    const fa = openSync(npy, "r");
    const fb = openSync(prefixNpy, "r");
    readSync(fa, a, 0, bytes, dataOffset);
    readSync(fb, b, 0, bytes, prefix.dataOffset);
    closeSync(fa);
    closeSync(fb);
    expect(a.equals(b)).toBe(true);
    // And they are logits, not zeros: every row has finite values that differ.
    const row0 = new Float32Array(a.buffer, a.byteOffset, vocab);
    expect(Math.max(...row0)).toBeGreaterThan(Math.min(...row0));
  }, 180_000);

  it("-o - (msgpack frames, 1.5 times the limit) to a slow reader: peak RSS under 400 MB", async () => {
    const half = join(dir, "half.txt");
    writeFileSync(half, text(WORDS / 2)); // 600 MB of frames: the slow reader takes ~10 s
    const r = await run(["logits", "--text", half, "-o", "-"], 15);
    expect(r.code, r.stderr).toBe(0);
    expect(r.peakKb).toBeGreaterThan(0);
    expect(r.peakKb).toBeLessThan(LIMIT_KB);
    // Every row's 100,277 float32 values went through the pipe (plus a few bytes of framing per row).
    expect(r.stdoutBytes).toBeGreaterThan((WORDS / 2) * 100_277 * 4);
  }, 300_000);
});
