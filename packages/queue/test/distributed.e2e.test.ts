// The distributed mode end to end, on a real redis-server: the built CLI as coordinator and as worker
// processes, compared byte for byte with the local run of the same command.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RedisServer, selfSignedCert, startRedis, stopAllRedis } from "./redisServer.js";

// Whole CLI runs on a shared 2-core machine: generous per-test limits (a hang still fails the test).
vi.setConfig({ testTimeout: 150_000, hookTimeout: 60_000 });

const CLI = fileURLToPath(new URL("../../../apps/cli/dist/main.js", import.meta.url));
const ENV = { ...process.env, NODE_OPTIONS: "" };
const V = 32;
const ROWS = 20_000;

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI to completion; stdin from a buffer or a file, stdout collected or sent to a file. */
function cli(
  args: string[],
  opts: {
    stdin?: Buffer;
    stdinFile?: string;
    stdoutFd?: number;
    keepStdin?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): { child: ChildProcess; done: Promise<Run> } {
  const stdinFd = opts.stdinFile !== undefined ? openSync(opts.stdinFile, "r") : undefined;
  const child = spawn(process.execPath, [CLI, ...args], {
    env: opts.env ?? ENV,
    stdio: [stdinFd ?? "pipe", opts.stdoutFd ?? "pipe", "pipe"],
  });
  if (stdinFd !== undefined) closeSync(stdinFd);
  commands.add(child);
  child.once("exit", () => commands.delete(child));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => err.push(b));
  if (child.stdin) {
    child.stdin.on("error", () => {});
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else if (opts.keepStdin !== true) child.stdin.end();
  }
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    ),
  );
  return { child, done };
}

/** Deterministic logits: an LCG, values in [-4, 4), rounded to float32. */
function logits(rows: number, vocab: number, seed: number): Float32Array {
  const f = new Float32Array(rows * vocab);
  let s = seed >>> 0;
  for (let i = 0; i < f.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f[i] = (s / 2 ** 32 - 0.5) * 8;
  }
  return f;
}

function ndjson(f: Float32Array, rows: number, vocab: number): Buffer {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    lines.push(
      JSON.stringify({ logits: Array.from(f.subarray(r * vocab, (r + 1) * vocab)), target: (r * 7) % vocab }),
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** NDJSON rows of V logits, every third row one longer (its last logit from the next row's data). */
function raggedNdjson(f: Float32Array): Buffer {
  const lines: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    const v = r % 3 === 0 ? V + 1 : V;
    const row = Array.from(f.subarray(r * V, r * V + v));
    if (row.length < v) row.push(0);
    lines.push(JSON.stringify({ logits: row, target: (r * 7) % v }));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** CLI processes still running (a timed-out test leaves them): killed in afterAll. */
const commands = new Set<ChildProcess>();
let dir: string;
let redis: RedisServer;
const workers: ChildProcess[] = [];

function startWorker(url: string, env: NodeJS.ProcessEnv = ENV): ChildProcess {
  const w = spawn(
    process.execPath,
    [CLI, "worker", "--queue", url, "--threads", "1", "--stall-timeout", "2000"],
    {
      env,
      stdio: "ignore",
    },
  );
  workers.push(w);
  return w;
}

async function stopWorker(w: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (w.exitCode !== null || w.signalCode !== null) return w.exitCode;
  const exited = new Promise<number | null>((r) => w.once("exit", (code) => r(code)));
  w.kill(signal);
  return exited;
}

const files: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ls-queue-"));
  redis = await startRedis();
  for (let i = 0; i < 3; i++) startWorker(redis.url);
  const f = logits(ROWS, V, 7);
  files.f32 = join(dir, "rows.f32");
  writeFileSync(files.f32, new Uint8Array(f.buffer));
  files.ndjson = join(dir, "rows.ndjson");
  writeFileSync(files.ndjson, ndjson(f, ROWS, V));
  // Rows of V and V + 1 logits (every third row one longer), as multiple-choice items of different sizes.
  files.ragged = join(dir, "ragged.ndjson");
  writeFileSync(files.ragged, raggedNdjson(f));
  // A NaN at row 12,345: bad data, as the local run reports it.
  const bad = f.slice();
  bad[12_345 * V + 3] = Number.NaN;
  files.poisoned = join(dir, "poisoned.f32");
  writeFileSync(files.poisoned, new Uint8Array(bad.buffer));
});

afterAll(async () => {
  for (const c of commands) c.kill("SIGKILL");
  await Promise.all(workers.map((w) => stopWorker(w, "SIGKILL")));
  await stopAllRedis();
  rmSync(dir, { recursive: true, force: true });
});

const Q = () => ["--queue", redis.url, "--task-rows", "1000", "--no-progress"];

describe("3 workers + coordinator, 20,000 rows", () => {
  const cases: {
    name: string;
    args: string[];
    input: "path" | "stdin" | "pipe";
    file: "f32" | "ndjson" | "ragged";
  }[] = [
    {
      name: "score, raw f32 file on shared storage",
      args: ["score", "--format", "f32", "--vocab", String(V), "--top", "2"],
      input: "path",
      file: "f32",
    },
    {
      name: "sample, NDJSON file framed on the coordinator",
      args: ["sample", "--seed", "11", "--top-p", "0.9", "--logprobs", "2"],
      input: "path",
      file: "ndjson",
    },
    { name: "score, NDJSON with targets from a pipe", args: ["score"], input: "pipe", file: "ndjson" },
    {
      name: "sample, raw f32 from stdin (a file)",
      args: ["sample", "--format", "f32", "--vocab", String(V), "--seed", "5", "--temperature", "0.7"],
      input: "stdin",
      file: "f32",
    },
    {
      name: "score --top 2, NDJSON rows of 32 and 33 logits on shared storage",
      args: ["score", "--top", "2"],
      input: "path",
      file: "ragged",
    },
    {
      name: "sample, NDJSON rows of 32 and 33 logits from a pipe",
      args: ["sample", "--seed", "3", "--logprobs", "1"],
      input: "pipe",
      file: "ragged",
    },
    {
      name: "softmax --log --top 3, raw f32 file on shared storage",
      args: ["softmax", "--format", "f32", "--vocab", String(V), "--log", "--top", "3"],
      input: "path",
      file: "f32",
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the same bytes as the local run`, async () => {
      const path = files[c.file]!;
      const io = (extra: string[]) =>
        c.input === "path"
          ? cli([...c.args, path, ...extra])
          : c.input === "stdin"
            ? cli([...c.args, ...extra], { stdinFile: path })
            : cli([...c.args, ...extra], { stdin: readFileSync(path) });
      const local = await io(["--threads", "1"]).done;
      expect(local.code).toBe(0);
      const remote = await io(Q()).done;
      expect(remote.stderr).toMatch(/job \S+ on unix:\/\//);
      expect(remote.code).toBe(0);
      expect(remote.stdout.length).toBeGreaterThan(ROWS * 20);
      expect(remote.stdout.equals(local.stdout)).toBe(true);
    });
  }
});

describe("faults", () => {
  it("a worker SIGKILLed mid-job loses no row and duplicates none", async () => {
    const args = ["sample", files.ndjson!, "--seed", "3", "--top-k", "8"];
    const local = await cli([...args, "--threads", "1"]).done;
    const run = cli([...args, ...Q(), "--task-rows", "250", "--in-flight", "16"]);
    // Kill a worker as soon as the first results are written: tasks are in every worker's hands.
    await new Promise<void>((resolve) => run.child.stdout!.once("data", () => resolve()));
    const [victim, leaver] = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    await stopWorker(victim!, "SIGKILL");
    // Another one is asked to stop: it finishes the tasks in hand, then exits with SIGTERM's code.
    const leaverCode = await stopWorker(leaver!, "SIGTERM");
    const remote = await run.done;
    expect(leaverCode).toBe(143);
    expect(remote.code).toBe(0);
    expect(remote.stdout.equals(local.stdout)).toBe(true);
    startWorker(redis.url); // back to three
    startWorker(redis.url);
  });

  it("a coordinator killed mid-job and started again with its --job-id resumes into the same output", async () => {
    const args = ["score", "--top", "1"];
    const input = readFileSync(files.ndjson!);
    const local = await cli([...args, "--threads", "1"], { stdin: input }).done;
    const outPath = join(dir, "resumed.ndjson");
    let fd = openSync(outPath, "w");
    const first = cli([...args, ...Q(), "--task-rows", "200", "--in-flight", "2", "--job-id", "resume-1"], {
      stdin: input,
      stdoutFd: fd,
    });
    closeSync(fd);
    // Killed once some output is on disk.
    while (statSync(outPath).size === 0 && first.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 20));
    first.child.kill("SIGKILL");
    await first.done;
    const partial = statSync(outPath).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(local.stdout.length);
    fd = openSync(outPath, "a");
    const second = await cli(
      [...args, ...Q(), "--task-rows", "200", "--in-flight", "2", "--job-id", "resume-1"],
      { stdin: input, stdoutFd: fd },
    ).done;
    closeSync(fd);
    expect(second.stderr).toMatch(/resuming job resume-1 after \d+ rows/);
    expect(second.code).toBe(0);
    expect(readFileSync(outPath).equals(local.stdout)).toBe(true);
  });

  it("a coordinator killed after writing a first result it had not yet recorded: the rerun writes the output over from byte 0", async () => {
    const args = ["score", "--top", "1"];
    const input = readFileSync(files.ndjson!);
    const local = await cli([...args, "--threads", "1"], { stdin: input }).done;
    const outPath = join(dir, "unrecorded.ndjson");
    // The first run opens the job (its state is in Redis) and waits on a pipe that brings no rows yet.
    let fd = openSync(outPath, "w");
    const first = cli([...args, ...Q(), "--job-id", "resume-0"], { stdoutFd: fd, keepStdin: true });
    closeSync(fd);
    const client = new Redis({ path: redis.url.slice("unix://".length) });
    try {
      while (!(await client.exists("logitstream:job:resume-0:meta")) && first.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      client.disconnect();
    }
    // Bytes it wrote, but was killed before recording in Redis that it had.
    writeFileSync(outPath, local.stdout.subarray(0, 100));
    first.child.kill("SIGKILL");
    await first.done;
    fd = openSync(outPath, "a");
    const second = await cli([...args, ...Q(), "--job-id", "resume-0"], { stdin: input, stdoutFd: fd }).done;
    closeSync(fd);
    expect(second.stderr).toMatch(/resuming job resume-0 after 0 rows/);
    expect(second.code).toBe(0);
    expect(readFileSync(outPath).equals(local.stdout)).toBe(true);
  });

  it("a poisoned row ends the job with exit 65 naming the row, after the rows before it", async () => {
    const args = ["score", files.poisoned!, "--format", "f32", "--vocab", String(V)];
    const local = await cli([...args, "--threads", "1"]).done;
    expect(local.code).toBe(65);
    expect(local.stderr).toContain("row 12345");
    const remote = await cli([...args, ...Q()]).done;
    expect(remote.code).toBe(65);
    const lastLine = (s: string) => s.trim().split("\n").at(-1);
    expect(lastLine(remote.stderr)).toBe(lastLine(local.stderr));
    expect(remote.stdout.equals(local.stdout)).toBe(true);
  });

  it("the job's keys are gone from Redis once it ended", async () => {
    const { Redis } = await import("ioredis");
    const c = new Redis({ path: redis.url.slice("unix://".length) });
    const keys = await c.keys("logitstream:job:*");
    c.disconnect();
    expect(keys).toEqual([]);
  });

  it("Redis stopped mid-job: a clear error and exit 69, no hang", async () => {
    const own = await startRedis(); // no workers: the job waits on its first task
    const run = cli([
      "score",
      files.f32!,
      "--format",
      "f32",
      "--vocab",
      String(V),
      "--queue",
      own.url,
      "--no-progress",
    ]);
    await new Promise<void>((resolve) => run.child.stderr!.once("data", () => resolve()));
    await own.stop();
    const r = await run.done;
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/Redis at unix:\/\/\S+ is unavailable/);
  });
});

describe("memory", () => {
  // 1 GiB in the full run (LOGITSTREAM_FULL_TESTS=1), 128 MiB otherwise: the coordinator's peak resident
  // memory stays under a bound that is smaller than the input, whatever its size.
  const mib = process.env.LOGITSTREAM_FULL_TESTS === "1" ? 1024 : 128;
  it(`the coordinator's memory stays bounded on ${mib} MiB of stdin`, async () => {
    const vocab = 1024;
    const rowBytes = vocab * 4;
    const rows = (mib * 1024 * 1024) / rowBytes;
    const run = cli(
      [
        "score",
        "--format",
        "f32",
        "--vocab",
        String(vocab),
        ...Q(),
        "--task-rows",
        "2048",
        "--in-flight",
        "4",
      ],
      { keepStdin: true },
    );
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${run.child.pid}/status`, "utf8");
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
      } catch {}
    }, 50);
    // Fed 1 MiB at a time through a pipe (the same 256 rows again and again), with backpressure.
    const block = Buffer.from(logits(256, vocab, 9).buffer);
    const stdin = run.child.stdin!;
    for (let sent = 0; sent < rows; sent += 256) {
      if (!stdin.write(block)) await new Promise((r) => stdin.once("drain", r));
    }
    stdin.end();
    let outRows = 0;
    const r = await run.done;
    clearInterval(poll);
    outRows = r.stdout
      .toString()
      .split("\n")
      .filter((l) => l.startsWith('{"row"')).length;
    expect(r.code).toBe(0);
    expect(outRows).toBe(rows);
    expect(peakKb).toBeGreaterThan(0);
    // A quarter of the full run's input: what grows with the input would pass it long before the end.
    // Measured 182–186 MB at 1 GiB (2026-12-04; the earlier bound, 180, had been set just above a
    // measured peak and was crossed by a few MB).
    expect(peakKb / 1024).toBeLessThan(256);
  }, 240_000);
});

describe("the command line", () => {
  it("shows rows, rows/s and live workers on a terminal, with stdout clean", async () => {
    const out = join(dir, "progress.ndjson");
    const cmd = `"${process.execPath}" "${CLI}" score "${files.f32}" --format f32 --vocab ${V} --queue "${redis.url}" --task-rows 100 > "${out}"`;
    const r = spawnSync("script", ["-qefc", cmd, "/dev/null"], { env: ENV });
    expect(r.status).toBe(0);
    const tty = r.stdout.toString();
    expect(tty).toMatch(/rows \| [\d,…]+ rows\/s \| [1-9]\d* workers/);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(ROWS + 1);
  });

  it.each([
    [["score", "--targets", "t.txt", "--queue", "redis://h"], "--targets cannot be combined with --queue"],
    [["score", "--queue", "ftp://:hunter2@h"], 'bad queue URL ftp://:***@h: unknown scheme "ftp"'],
    [["sample", "--queue", "redis://h", "--job-id", "a/b"], "job a/b: a job id has 1–64 characters"],
  ])("exits 2 for %j", async (args, message) => {
    const r = await cli(args).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("exits 2 when a --job-id is reused for another command or input", async () => {
    const own = await startRedis(); // no workers: the first job waits on its first task
    try {
      const base = [
        "--format",
        "f32",
        "--vocab",
        String(V),
        "--queue",
        own.url,
        "--job-id",
        "taken-1",
        "--no-progress",
      ];
      const first = cli(["score", files.f32!, ...base]);
      // The job's state exists once the coordinator has enqueued (its first task is waiting).
      const { Redis } = await import("ioredis");
      const c = new Redis({ path: own.url.slice("unix://".length) });
      while ((await c.exists("logitstream:job:taken-1:meta")) === 0)
        await new Promise((r) => setTimeout(r, 50));
      c.disconnect();
      const other = await cli(["sample", files.f32!, ...base]).done;
      expect(other.code).toBe(2);
      expect(other.stderr).toContain("job taken-1: this job id already names a job");
      first.child.kill("SIGINT");
      expect((await first.done).code).toBe(130);
    } finally {
      await own.stop();
    }
  });
});

describe("connection URLs", () => {
  it("a password in the URL works and is never printed", async () => {
    const secured = await startRedis({ password: "hunter2", tcp: true });
    const w = startWorker(secured.url);
    try {
      const args = ["score", files.f32!, "--format", "f32", "--vocab", String(V)];
      const r = await cli([...args, "--queue", secured.url, "--no-progress"]).done;
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("redis://:***@127.0.0.1:");
      expect(r.stderr).not.toContain("hunter2");
      const wrong = await cli([
        ...args,
        "--queue",
        secured.url.replace("hunter2", "wrong-pw"),
        "--no-progress",
      ]).done;
      expect(wrong.code).toBe(69);
      expect(wrong.stderr).not.toContain("wrong-pw");
    } finally {
      await stopWorker(w);
      await secured.stop();
    }
  });

  it("rediss:// connects over TLS (a self-signed server certificate the processes trust)", async () => {
    const tls = selfSignedCert(dir);
    const server = await startRedis({ tls });
    const env = { ...ENV, NODE_EXTRA_CA_CERTS: tls.cert };
    const w = startWorker(server.url, env);
    try {
      expect(server.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
      const args = ["sample", files.f32!, "--format", "f32", "--vocab", String(V), "--seed", "2"];
      const local = await cli([...args, "--threads", "1"]).done;
      const r = await cli([...args, "--queue", server.url, "--no-progress"], { env }).done;
      expect(r.code).toBe(0);
      expect(r.stdout.equals(local.stdout)).toBe(true);
    } finally {
      await stopWorker(w);
      await server.stop();
    }
  });
});
