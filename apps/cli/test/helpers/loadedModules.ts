// Runs the built CLI with the recordModules.mjs preload and returns what it loaded, for the tests that
// check a command loads only what it uses.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, collect } from "./cli.js";

const PRELOAD = fileURLToPath(new URL("./recordModules.mjs", import.meta.url));

/** Exit code, stderr, and every module URL or path the run loaded (one per line). */
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
    return { code: r.code, stderr: r.stderr, modules: readFileSync(log, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
