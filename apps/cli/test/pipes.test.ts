import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { CLI, collect, runCli, spawnCli } from "./helpers/cli.js";
import { ndjsonArrays, npy, rawF32 } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";

const dir = tempDir();
// 100,000 rows × 16: ~9 MB of NDJSON in, far more output than a pipe buffer holds.
const big = writeFixture(dir, "big.ndjson", ndjsonArrays(randomRows(20_000, 16, 1)).repeat(5));
// 12 MB of binary rows: three 4 MiB chunks, and a short last one.
const PIPED_V = 1000;
const PIPED_ROWS = 3100;
const piped = randomRows(PIPED_ROWS, PIPED_V, 2);
writeFixture(dir, "pipe.f32", rawF32(piped));
writeFixture(dir, "pipe.npy", npy(piped));

/** Resolves with the first `n` lines the child writes to stdout. */
async function firstLines(child: ReturnType<typeof spawnCli>, n: number): Promise<string[]> {
  const got: string[] = [];
  const rl = createInterface({ input: child.stdout });
  for await (const line of rl) {
    got.push(line);
    if (got.length === n) break;
  }
  return got;
}

describe("pipes and signals", () => {
  it("ends quietly with exit 0 when stdout is closed by `| head -1`", async () => {
    const sh = spawn(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${CLI}" sample "${big}" --seed 1 | head -1`],
      {
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    const r = await collect(sh as never);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^\{"row":0,"token":\d+,"logprob":-?[\d.e-]+\}\n$/);
  });

  it("ends quietly with exit 0 when its reader closes the pipe after one line", async () => {
    const child = spawnCli(["score", big, "--threads", "2"]);
    child.stdin.end();
    const err: Buffer[] = [];
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const lines = await firstLines(child, 1);
    child.stdout.destroy();
    const [code] = (await once(child, "exit")) as [number | null];
    expect(lines[0]).toMatch(/^\{"row":0,/);
    expect(Buffer.concat(err).toString()).toBe("");
    expect(code).toBe(0);
  });

  it("exits 74 with a one-line message when the output device is full", async () => {
    const sh = spawn("bash", ["-c", `"${process.execPath}" "${CLI}" sample "${big}" --seed 1 > /dev/full`], {
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const r = await collect(sh as never);
    expect(r.code).toBe(74);
    expect(r.stderr).toBe(
      "logitstream sample: cannot write the output: ENOSPC: no space left on device, write\n",
    );
  });

  it("writes the first records before the input ends", async () => {
    const child = spawnCli(["sample", "--temperature", "0"]);
    // 1,000 rows, and stdin stays open: records must come out before the input ends.
    child.stdin.write("[-200, 0, -200]\n".repeat(1_000));
    const lines = await firstLines(child, 1);
    expect(lines[0]).toBe('{"row":0,"token":1,"logprob":0}');
    child.stdin.end();
    await once(child, "exit");
  });

  it.each([
    [
      "sample",
      ["sample", "--temperature", "0"],
      ["[-200,0,-200]\n", "[0,-200,-200]\n"],
      ['{"row":0,"token":1,"logprob":0}', '{"row":1,"token":0,"logprob":0}'],
    ],
    [
      "softmax (a line shorter than format detection reads)",
      ["softmax"],
      ["[0,0]\n", "[5,5]\n"],
      ['{"row":0,"probs":[0.5,0.5]}', '{"row":1,"probs":[0.5,0.5]}'],
    ],
    [
      "sample (raw f32 rows, filled straight into the pool's memory)",
      ["sample", "--temperature", "0", "--format", "f32", "--vocab", "3"],
      [rawF32([[-200, 0, -200]]), rawF32([[0, -200, -200]])],
      ['{"row":0,"token":1,"logprob":0}', '{"row":1,"token":0,"logprob":0}'],
    ],
  ])(
    "%s writes each row's record while the pipe stays open, before the next row is written",
    async (_name, args, rows, records) => {
      const child = spawnCli(args);
      const err: Buffer[] = [];
      child.stderr.on("data", (b: Buffer) => err.push(b));
      const out = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      for (let i = 0; i < rows.length; i++) {
        child.stdin.write(rows[i]!); // one row, and stdin stays open
        expect((await out.next()).value).toBe(records[i]);
      }
      child.stdin.end();
      expect((await out.next()).done).toBe(true);
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
      expect(Buffer.concat(err).toString()).toBe("");
    },
  );

  it.each([
    ["raw f32", "pipe.f32", ["--format", "f32", "--vocab", String(PIPED_V)]],
    [".npy", "pipe.npy", ["--format", "npy"]],
  ])(
    "%s through a pipe gives the same bytes as the path — `cat file |`, `<(cat file)` and a named FIFO — with --threads 1 and 2",
    async (_name, file, format) => {
      // Several 4 MiB chunks, read from a real pipe: stdin, a shell's process substitution (the path is
      // /dev/fd/N) and a FIFO made with mkfifo, both of the latter given as a path.
      const path = `${dir}/${file}`;
      const fifo = `${dir}/${file}.fifo`;
      execFileSync("mkfifo", [fifo]);
      try {
        for (const threads of ["1", "2"]) {
          const args = `score ${format.join(" ")} --top 1 --threads ${threads}`;
          const fromPath = await runCli([...args.split(" "), path]);
          expect(fromPath.code).toBe(0);
          const cli = `"${process.execPath}" "${CLI}" ${args}`;
          for (const command of [
            `cat "${path}" | ${cli}`,
            `${cli} <(cat "${path}")`,
            `cat "${path}" > "${fifo}" & ${cli} "${fifo}"; wait $!`,
          ]) {
            const sh = spawn("bash", ["-c", `set -o pipefail; ${command}`], {
              env: { ...process.env, NODE_OPTIONS: "" },
            });
            const fromPipe = await collect(sh as never);
            expect(fromPipe.stderr, command).toBe("");
            expect(fromPipe.code, command).toBe(0);
            expect(fromPipe.stdout.toString().trim().split("\n"), command).toHaveLength(PIPED_ROWS + 1); // rows + summary
            expect(fromPipe.stdout.equals(fromPath.stdout), command).toBe(true);
          }
        }
      } finally {
        rmSync(fifo, { force: true });
      }
    },
  );

  it("compare reads two process substitutions as it reads the two paths", async () => {
    const base = `${dir}/pipe.npy`;
    const other = writeFixture(dir, "other.npy", npy(randomRows(PIPED_ROWS, PIPED_V, 3)));
    const fromPaths = await runCli(["compare", base, other, "--threads", "2"]);
    expect(fromPaths.code).toBe(0);
    const sh = spawn(
      "bash",
      ["-c", `"${process.execPath}" "${CLI}" compare <(cat "${base}") <(cat "${other}") --threads 2`],
      { env: { ...process.env, NODE_OPTIONS: "" } },
    );
    const fromPipes = await collect(sh as never);
    expect(fromPipes.stderr).toBe("");
    expect(fromPipes.code).toBe(0);
    expect(fromPipes.stdout.toString().trim().split("\n")).toHaveLength(PIPED_ROWS + 1); // rows + summary
    expect(fromPipes.stdout.equals(fromPaths.stdout)).toBe(true);
  });

  it("a named FIFO given as a path: each raw f32 row's record comes out before the next row is written", async () => {
    const fifo = `${dir}/rows.fifo`;
    execFileSync("mkfifo", [fifo]);
    try {
      const child = spawnCli(["sample", "--temperature", "0", "--format", "f32", "--vocab", "3", fifo]);
      const err: Buffer[] = [];
      child.stderr.on("data", (b: Buffer) => err.push(b));
      const out = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      // Opening a FIFO for writing waits until the CLI has opened it for reading.
      const writer = await open(fifo, "w");
      const rows = [rawF32([[-200, 0, -200]]), rawF32([[0, -200, -200]]), rawF32([[-200, -200, 0]])];
      for (let i = 0; i < rows.length; i++) {
        await writer.write(rows[i]!); // one row, and the FIFO stays open
        expect((await out.next()).value).toBe(`{"row":${i},"token":${[1, 0, 2][i]},"logprob":0}`);
      }
      await writer.close();
      expect((await out.next()).done).toBe(true);
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
      expect(Buffer.concat(err).toString()).toBe("");
    } finally {
      rmSync(fifo, { force: true });
    }
  });

  it("on SIGINT while a named FIFO given as a path is open and idle, exits 130 at once", async () => {
    const fifo = `${dir}/idle.fifo`;
    execFileSync("mkfifo", [fifo]);
    try {
      const child = spawnCli(["score", "--format", "f32", "--vocab", "4", fifo]);
      const done = collect(child);
      // Opening it for writing waits until the CLI has opened it for reading; nothing is ever written.
      const writer = await open(fifo, "w");
      child.kill("SIGINT");
      const r = await done;
      await writer.close();
      expect(r.code).toBe(130);
      expect(r.stdout.toString()).toBe("");
      expect(r.stderr).toBe("");
    } finally {
      rmSync(fifo, { force: true });
    }
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("on %s flushes the complete records and exits %i", async (signal, code) => {
    const child = spawnCli(["sample", "--temperature", "0", "--threads", "2"]);
    const done = collect(child);
    // 500 rows (the reader cuts batches of up to 64 rows); the input stays open, as in an interactive pipe.
    child.stdin.write(ndjsonArrays(Array.from({ length: 500 }, (_, i) => (i % 2 ? [7, 0, 0] : [0, 5, 0]))));
    // Wait until the first records are out, then signal.
    let seen = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (b: Buffer) => {
        seen += b.toString();
        if (seen.split("\n").length > 2) resolve();
      });
    });
    child.kill(signal);
    const r = await done;
    expect(r.code).toBe(code);
    const lines = r.stdout.toString().split("\n");
    expect(lines.at(-1)).toBe(""); // ends with a complete line
    expect(lines.slice(0, 2).map((l) => JSON.parse(l).token)).toEqual([1, 0]);
    expect(r.stderr).toBe("");
  });

  it("on SIGINT during a large multi-threaded job stops the workers, writes only complete records and exits 130", async () => {
    const child = spawnCli(["score", "--threads", "2"]);
    const done = collect(child);
    child.stdin.on("error", () => {}); // the CLI stops reading when it is interrupted
    // Many rows, and stdin left open: the job cannot finish before the signal.
    child.stdin.write(readFileSync(big));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    const text = r.stdout.toString();
    expect(text.endsWith("\n")).toBe(true);
    const rows = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { row?: number });
    rows.forEach((rec, i) => {
      expect(rec.row).toBe(i);
    }); // in order, no gap, no summary of a partial run
  });
});
