// Runs the built CLI with the recordModules.mjs preload and returns what it loaded, for the tests that
// check a command loads only what it uses.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, collect } from "./cli.js";

const PRELOAD = fileURLToPath(new URL("./recordModules.mjs", import.meta.url));

/**
 * The sources esbuild bundled into the CLI's files the run loaded (each file's `// path` comments): the CLI
 * inlines rxjs and the stream package, so loading them shows as loading the chunk that holds them.
 */
function inlinedSources(modules: string): string {
  const files = new Set(modules.match(/file:\/\/\S*\/apps\/cli\/dist\/[^\s]+\.js/g) ?? []);
  return [...files]
    .map((url) => (readFileSync(fileURLToPath(url), "utf8").match(/^\/\/ \S+$/gm) ?? []).join("\n"))
    .join("\n");
}

/**
 * Exit code, stderr, and every module URL or path the run loaded, one per line, followed by the sources
 * bundled into the CLI files it loaded.
 */
export async function loadedModules(
  args: readonly string[],
  stdin: Uint8Array | string = "",
): Promise<{ code: number | null; stderr: string; modules: string }> {
  const dir = mkdtempSync(join(tmpdir(), "logitstream-modules-"));
  const log = join(dir, "loaded.txt");
  try {
    const child = spawn(process.execPath, ["--import", PRELOAD, CLI, ...args], {
      env: { ...process.env, NODE_OPTIONS: "", LOGITSTREAM_MODULE_LOG: log },
    });
    const done = collect(child);
    child.stdin.on("error", () => {}); // a flag error may exit before stdin is read
    child.stdin.end(stdin);
    const r = await done;
    const modules = readFileSync(log, "utf8");
    return { code: r.code, stderr: r.stderr, modules: `${modules}${inlinedSources(modules)}\n` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
