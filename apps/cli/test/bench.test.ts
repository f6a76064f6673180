import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

describe("logitstream bench", () => {
  it("lists the packages' benchmark files with --list", async () => {
    const r = await runCli(["bench", "--list"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const files = r.stdout.toString().trim().split("\n");
    expect(files).toContain("packages/core/bench/softmax.bench.mjs");
    for (const f of files)
      expect(f).toMatch(/^packages\/(core|wire|pool|stream|ngram)\/bench\/[\w.-]+\.bench\.mjs$/);
  });

  it("lists only the chosen package's benchmarks with --package", async () => {
    const r = await runCli(["bench", "--list", "--package", "core"]);
    expect(r.code).toBe(0);
    for (const f of r.stdout.toString().trim().split("\n"))
      expect(f.startsWith("packages/core/bench/")).toBe(true);
  });

  it("exits 2 for an unknown --package", async () => {
    const r = await runCli(["bench", "--package", "numpy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--package: expected one of core, wire, pool, stream, ngram; got "numpy"');
  });
});
