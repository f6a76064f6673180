// A broken installation whose pool workers cannot load must not look like success: before, piscina
// kept the tasks queued, nothing kept the process alive, and the CLI exited 0 having written nothing.
// The preload gives every pool workers whose entry throws at load.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI, collect } from "./helpers/cli.js";

const BROKEN = fileURLToPath(
  new URL("../../../packages/pool/test/fixtures/brokenWorkers.mjs", import.meta.url),
);

describe("pool workers that cannot start", () => {
  it("score exits 1 naming the cause, instead of exiting 0 with no output", async () => {
    const rows = Buffer.from(new Float32Array(64 * 16).map((_, i) => Math.sin(i)).buffer);
    const child = spawn(
      process.execPath,
      ["--import", BROKEN, CLI, "score", "--format", "f32", "--vocab", "16", "--inline-elements", "0"],
      { env: { ...process.env, NODE_OPTIONS: "" } },
    );
    child.stdin.end(rows);
    const r = await collect(child as never);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /^logitstream score: the pool's worker threads could not start \(this worker entry throws at load\)\. .*reinstall/m,
    );
    expect(r.stdout.length).toBe(0);
  }, 30_000);
});
