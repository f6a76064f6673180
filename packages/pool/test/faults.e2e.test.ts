import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./fixtures/scoreJob.mjs", import.meta.url));
const preload = new URL("./fixtures/injectFaults.mjs", import.meta.url).href;

/** Runs the 50,000-row score job in a child process; returns a digest of stdout, its rows, stderr and exit code. */
function job(
  faults?: object[],
): Promise<{ digest: string; lines: number; lastRow: number; stderr: string; code: number | null }> {
  const args = faults === undefined ? [script] : ["--import", preload, script];
  const env = { ...process.env, ROWS: "50000", LOGITSTREAM_TEST_FAULTS: JSON.stringify(faults ?? []) };
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const hash = createHash("sha256");
  let lines = 0;
  let tail = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    hash.update(d);
    const text = tail + d.toString();
    const parts = text.split("\n");
    tail = parts.pop()!;
    lines += parts.length;
    if (parts.length > 0) lastLine = parts[parts.length - 1]!;
  });
  let lastLine = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on("close", (code) =>
      resolve({
        digest: hash.digest("hex"),
        lines,
        lastRow: lastLine === "" ? -1 : JSON.parse(lastLine).row,
        stderr,
        code,
      }),
    ),
  );
}

describe("faults during a 50,000-row job (200 tasks), end to end through createPool (injected by a test-only preload)", () => {
  it("recovers from a worker that exits, throws, or runs out of memory mid-job with output identical to a clean run", async () => {
    const clean = await job();
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stderr)).toEqual({ retries: 0 });
    expect(clean.lines).toBe(50_000);
    const faulty = await job([
      { row: 11_337, kind: "exit", times: 1 },
      { row: 25_000, kind: "throw", times: 1 },
      { row: 40_001, kind: "oom", times: 1 },
    ]);
    expect(JSON.parse(faulty.stderr)).toEqual({ retries: 3 }); // each fault fired once and was retried
    expect(faulty.code).toBe(0);
    expect(faulty.digest).toBe(clean.digest);
  });

  it("stops with a typed error naming the failed rows, every earlier row written once, when the retry dies too", async () => {
    const failed = await job([{ row: 33_456, kind: "exit", times: 2 }]);
    expect(failed.code).toBe(65);
    expect(JSON.parse(failed.stderr)).toEqual({
      name: "WorkerCrashError",
      firstRow: 33_250,
      lastRow: 33_499,
      fault: "exited",
    });
    expect(failed.lines).toBe(33_250);
    expect(failed.lastRow).toBe(33_249);
  });
});
