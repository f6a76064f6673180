// Runs every bench/*.bench.mjs of the current package, one fresh Node process each (JIT state and
// heap of one benchmark must not colour the next), in name order. Used by each package's `bench` script.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const files = readdirSync("bench")
  .filter((f) => f.endsWith(".bench.mjs"))
  .sort();
if (files.length === 0) console.log(`${process.cwd()}: no benchmarks yet`);
for (const f of files) {
  const r = spawnSync(process.execPath, ["--expose-gc", `bench/${f}`, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
