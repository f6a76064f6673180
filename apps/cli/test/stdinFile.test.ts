// Stdin redirected from a regular file (`logitstream score < rows.f32`) is read like a path: through
// wire's ByteReader, straight into the pool's memory, from the descriptor's current offset.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { closeSync, openSync, readSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, type CliResult, collect, runCli } from "./helpers/cli.js";
import { ndjsonArrays, npy } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";

/** Runs the CLI with `fd` as its stdin (a regular file, not a pipe). */
function runWithStdinFd(args: readonly string[], fd: number): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: [fd, "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return collect(child as unknown as ChildProcessWithoutNullStreams);
}

async function withStdinFile(args: readonly string[], path: string, skip = 0): Promise<CliResult> {
  const fd = openSync(path, "r");
  try {
    if (skip > 0) readSync(fd, new Uint8Array(skip)); // moves the shared offset, as a shell's `read` would
    return await runWithStdinFd(args, fd);
  } finally {
    closeSync(fd);
  }
}

const dir = tempDir();
const V = 300;
const rows = randomRows(200, V, 7);
const f32 = new Uint8Array(new Float32Array(rows.flat()).buffer);
const f32Path = writeFixture(dir, "rows.f32", f32);
const npyPath = writeFixture(dir, "rows.npy", npy(rows));
const ndjsonPath = writeFixture(dir, "rows.ndjson", ndjsonArrays(rows));
const RAW = ["--format", "f32", "--vocab", String(V)];

describe("stdin redirected from a regular file", () => {
  it.each([
    ["raw f32", f32Path, RAW],
    [".npy", npyPath, ["--format", "npy"]],
    ["NDJSON", ndjsonPath, ["--format", "ndjson"]],
  ])("gives the same bytes as the path and as a pipe: %s", async (_name, path, format) => {
    const args = ["score", ...format, "--top", "2"];
    const fromFile = await withStdinFile(args, path);
    const fromPath = await runCli([...args, path]);
    const fromPipe = await runCli(args, { stdin: readAll(path) });
    expect(fromFile.stderr).toBe("");
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.toString().trim().split("\n")).toHaveLength(201); // 200 rows + summary
    expect(fromFile.stdout.equals(fromPath.stdout)).toBe(true);
    expect(fromFile.stdout.equals(fromPipe.stdout)).toBe(true);
  });

  it("reads from the descriptor's current offset, not from the start of the file", async () => {
    const skipRows = 3;
    const all = await withStdinFile(["sample", ...RAW, "--temperature", "0"], f32Path);
    const rest = await withStdinFile(["sample", ...RAW, "--temperature", "0"], f32Path, skipRows * V * 4);
    const tokens = (r: CliResult) =>
      r.stdout
        .toString()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).token as number);
    expect(rest.code).toBe(0);
    // Greedy tokens do not depend on the row's random stream: the rest are the full run's rows 3….
    expect(tokens(rest)).toEqual(tokens(all).slice(skipRows));
    expect(tokens(all)).toHaveLength(200);
  });

  it("names the cut-short row and its byte offset when the file ends inside a row", async () => {
    const cut = writeFixture(dir, "cut.f32", f32.subarray(0, 10 * V * 4 + 100));
    const r = await withStdinFile(["score", ...RAW], cut);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/row 10\b/);
    expect(r.stderr).toContain(`byte offset ${10 * V * 4}`);
    expect(r.stdout.toString().trim().split("\n")).toHaveLength(10); // the whole rows before it
  });
});

function readAll(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const out: Uint8Array[] = [];
    const buf = new Uint8Array(1 << 16);
    for (;;) {
      const n = readSync(fd, buf);
      if (n === 0) break;
      out.push(buf.slice(0, n));
    }
    return Buffer.concat(out);
  } finally {
    closeSync(fd);
  }
}
