// Builds dist/workerBundle.js, the worker entry the pool starts: src/worker.ts with core and wire
// inlined into one module. A worker's start-up is mostly module loading — the unbundled entry is about
// 150 modules, each resolved, read and compiled — and a pool pays it once per thread on every start.
// Third-party packages stay imports (piscina for the reply marking, msgpackr for msgpack frames: the
// package depends on both, so they resolve from dist/); Node's builtins are left to Node.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ["src/worker.ts"],
  outfile: "dist/workerBundle.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "es2022",
  external: ["piscina", "msgpackr"],
  sourcemap: true,
  logLevel: "warning",
});
