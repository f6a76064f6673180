// Test helper for the real no-SIMD path: the same script body run here (WebAssembly SIMD kernels) and in
// a Node child started with --jitless (no WebAssembly at all, so core must pick its JavaScript kernels by
// itself). The body prints one JSON line with console.log; the child runs the built package.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built package's folder (`pnpm test` builds first). */
export const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/**
 * Runs `body` in this process with `bindings` as its free variables; returns what it printed, parsed.
 * @example runHere(BODY, { core: { softmax } })
 */
export function runHere(body: string, bindings: Record<string, unknown>): Record<string, unknown> {
  const run = new Function(...Object.keys(bindings), body);
  let text = "";
  const log = console.log;
  console.log = (x: string) => {
    text = x;
  };
  try {
    run(...Object.values(bindings));
  } finally {
    console.log = log;
  }
  return JSON.parse(text);
}

/**
 * Runs `preamble` + `body` as an ES module in `node --jitless`; `process.argv[1]` is {@link DIST}.
 * The preamble imports the built modules under the names the body uses.
 * @example runJitless(BODY, 'const core = await import(process.argv[1] + "/index.js");')
 */
export function runJitless(body: string, preamble: string): Record<string, unknown> {
  const out = execFileSync(
    process.execPath,
    ["--jitless", "--input-type=module", "-e", `${preamble}${body}`, DIST],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  return JSON.parse(out);
}
