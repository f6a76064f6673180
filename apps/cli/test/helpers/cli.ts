// Runs the built CLI (`node apps/cli/dist/main.js`) as a child process with real pipes.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Spawns the CLI, writes `stdin` (then closes it), and collects stdout/stderr until it exits. */
export function runCli(
  args: readonly string[],
  opts: { stdin?: Uint8Array | string; cwd?: string } = {},
): Promise<CliResult> {
  const child = spawnCli(args, opts.cwd);
  const done = collect(child);
  child.stdin.on("error", () => {}); // the CLI may exit (bad flag) before reading its stdin
  child.stdin.end(opts.stdin ?? "");
  return done;
}

/** Spawns the CLI and leaves its stdin open: the caller drives it. */
export function spawnCli(args: readonly string[], cwd?: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: cwd ?? process.cwd(),
    stdio: ["pipe", "pipe", "pipe"],
    // No `--conditions development` from vitest: the CLI must run its built dist like a user's.
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** stdout as lines of text (without the trailing empty line). */
export function lines(r: CliResult): string[] {
  const text = r.stdout.toString("utf8");
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}
