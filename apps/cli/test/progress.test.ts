import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "./helpers/cli.js";
import { npy } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";

const dir = tempDir();
const input = writeFixture(dir, "rows.npy", npy(randomRows(2_000, 256, 3)));

describe("progress", () => {
  it("shows a progress bar with rows/s on stderr when stderr is a terminal, and keeps stdout clean", () => {
    const out = join(dir, "out.ndjson");
    // `script` gives the CLI a pseudo-terminal for stdin/stdout/stderr; stdout is redirected to a file.
    const cmd = `"${process.execPath}" "${CLI}" sample "${input}" --seed 1 --threads 2 > "${out}"`;
    const r = spawnSync("script", ["-qefc", cmd, "/dev/null"], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect(r.status).toBe(0);
    const tty = r.stdout.toString();
    expect(tty).toMatch(/rows\/s/);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2_000);
    lines.forEach((l, i) => {
      expect(JSON.parse(l).row).toBe(i);
    });
  });

  it("shows no progress when stderr is a pipe", async () => {
    const r = await runCli(["sample", input, "--seed", "1", "--threads", "2"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("shows no progress on a terminal with --no-progress", () => {
    const cmd = `"${process.execPath}" "${CLI}" sample "${input}" --seed 1 --no-progress > /dev/null`;
    const r = spawnSync("script", ["-qefc", cmd, "/dev/null"], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).not.toMatch(/rows\/s/);
  });

  it("keeps the numbers and an ETA on a 40-column terminal, every redraw within 40 columns", () => {
    const out = join(dir, "out40.ndjson");
    const cmd = `stty cols 40; "${process.execPath}" "${CLI}" sample "${input}" --seed 1 --threads 2 > "${out}"`;
    const r = spawnSync("script", ["-qefc", cmd, "/dev/null"], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect(r.status).toBe(0);
    const tty = r.stdout.toString();
    expect(tty).toMatch(/\d+% [\d,]+ rows [\d,…]+ rows\/s ETA /);
    // Redraws are separated by carriage returns and terminal control sequences.
    const ESC = String.fromCharCode(27);
    const shown = tty.split(new RegExp(`\\r|\\n|${ESC}\\[[0-9;?]*[A-Za-z]`)).filter((t) => t.trim() !== "");
    expect(shown.length).toBeGreaterThan(0);
    for (const line of shown) expect(line.length, line).toBeLessThanOrEqual(40);
  });
});
