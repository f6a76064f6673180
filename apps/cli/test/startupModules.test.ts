// Start-up cost is module loading (each module a resolve, a read and a compile: ~1 ms apiece), paid
// by every run in a pipe. A command loads only what it uses: a piped `score` never loads the progress
// bar (stderr is not a terminal), the grammar compiler, the queue (BullMQ, ioredis), llama.cpp or the
// n-gram model. And each package is one bundled module (scripts/bundlePackage.mjs), not one module per
// source file: ~24 modules instead of ~200. The CLI runs with a preload that records every module it
// loads (helpers/recordModules.mjs).
import { describe, expect, it } from "vitest";
import { loadedModules } from "./helpers/loadedModules.js";

/** Every module a successful run loaded. */
async function loaded(args: string[], stdin: Buffer): Promise<string> {
  const r = await loadedModules(args, stdin);
  expect(r.code, r.stderr).toBe(0);
  return r.modules;
}

describe("start-up loads only what the command uses", () => {
  it("a piped score loads core, wire and the pool, and not the progress bar, grammar, queue, llama or n-gram", async () => {
    const rows = Buffer.from(new Float32Array([1, 2, 3, 0.5, -1, 2]).buffer);
    const modules = await loaded(["score", "--format", "f32", "--vocab", "3"], rows);
    // What it needs is there (and the preload saw it: the check below cannot pass on an empty log).
    expect(modules).toMatch(/packages\/core\/dist\//);
    expect(modules).toMatch(/packages\/wire\/dist\//);
    // Per package, its bundle (one entry, plus shared chunks where a package has several entries or
    // lazy imports), not its source files one by one. Before the bundles: core 93, wire 44, cli 32,
    // pool 21 modules.
    const ours = (pkg: string) => new Set(modules.match(new RegExp(`/${pkg}/dist/[^\\s]+\\.js`, "g"))).size;
    expect(ours("packages/core")).toBe(1);
    expect(ours("packages/pool")).toBe(1);
    expect(ours("packages/wire")).toBeLessThanOrEqual(4);
    // The CLI: its main entry and the chunks of the lazy imports the command takes (how many depends on
    // where the commands split their imports), each an esbuild output, none a source file of its own.
    const cli = [...new Set(modules.match(/apps\/cli\/dist\/[^\s]+\.js/g))];
    expect(cli.length).toBeLessThan(20);
    for (const file of cli) expect(file).toMatch(/\/dist\/(main|[A-Za-z]+-[A-Z0-9]{8})\.js$/);
    expect(modules).toMatch(/packages\/core\/dist\/index\.js/);
    expect(modules).toMatch(/apps\/cli\/dist\/batchJob-[A-Z0-9]+\.js/);
    for (const unused of [
      /cli-progress/,
      /packages\/grammar\//,
      /packages\/queue\//,
      /bullmq|ioredis/,
      /packages\/llama\/|node-llama-cpp/,
      /packages\/ngram\//,
    ])
      expect(modules).not.toMatch(unused);
  });
});
