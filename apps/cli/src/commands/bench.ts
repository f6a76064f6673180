import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, CommandContext } from "../command.js";
import { UsageError } from "../errors.js";
import { bool, list } from "../flags.js";

const PACKAGES = ["core", "wire", "pool", "stream", "ngram"] as const;

/** Each package's bench/*.bench.mjs files, found through the installed packages (none outside the repo). */
function benchFiles(packages: readonly string[]): { pkg: string; dir: string; files: string[] }[] {
  return packages.map((pkg) => {
    let dir = "";
    try {
      dir = dirname(fileURLToPath(import.meta.resolve(`@logitstream/${pkg}/package.json`)));
    } catch {
      return { pkg, dir, files: [] };
    }
    const benchDir = join(dir, "bench");
    const files = existsSync(benchDir)
      ? readdirSync(benchDir)
          .filter((f) => f.endsWith(".bench.mjs"))
          .sort()
      : [];
    return { pkg, dir, files };
  });
}

/** Runs one benchmark file in a fresh Node process (its own JIT and heap), its table going to stdout. */
function runOne(
  ctx: CommandContext,
  cwd: string,
  file: string,
  extra: readonly string[],
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", join("bench", file), ...extra], {
      cwd,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const onAbort = (): void => {
      child.kill("SIGTERM");
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (b: Buffer) => {
      const wait = ctx.stdout.write(b);
      if (wait) {
        child.stdout.pause();
        wait.then(
          () => child.stdout.resume(),
          () => child.kill("SIGTERM"),
        );
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      ctx.signal.removeEventListener("abort", onAbort);
      resolve(code);
    });
  });
}

/** `logitstream bench`: the packages' own side-by-side benchmarks, one fresh process each. */
export const bench: Command = {
  name: "bench",
  summary: "print the side-by-side benchmark tables (runs the packages' benchmarks)",
  usage: "bench [flags] [-- BENCH_ARGS]",
  description: [
    "Runs the benchmarks of the logitstream packages (packages/*/bench/*.bench.mjs), each in a fresh",
    "Node process, and prints their tables: ours side by side with the peers a user would otherwise",
    "pick (a plain JavaScript loop, transformers.js, …) and with the memory-bandwidth floor, as ratios.",
    "This is `pnpm bench` without pnpm; it needs the repository checkout (installed packages ship no",
    "benchmarks) and a build. Arguments after -- go to every benchmark (e.g. -- --runs 3).",
  ].join("\n"),
  flags: [
    {
      name: "package",
      kind: "string",
      multiple: true,
      placeholder: "NAME",
      defaultText: "all",
      description: `only this package's benchmarks (repeatable): ${PACKAGES.join(", ")}`,
    },
    { name: "list", kind: "boolean", description: "list the benchmark files and exit" },
  ],
  examples: ["logitstream bench", "logitstream bench --package core -- --runs 3", "logitstream bench --list"],
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(args, ctx) {
    const chosen = list(args, "package");
    for (const p of chosen) {
      if (!(PACKAGES as readonly string[]).includes(p)) {
        throw new UsageError(`--package: expected one of ${PACKAGES.join(", ")}; got "${p}"`, "--package");
      }
    }
    const found = benchFiles(chosen.length > 0 ? chosen : PACKAGES);
    if (bool(args, "list")) {
      for (const { dir, files } of found) {
        for (const f of files) {
          const wait = ctx.stdout.write(`${relative(process.cwd(), join(dir, "bench", f))}\n`);
          if (wait) await wait;
        }
      }
      return;
    }
    if (found.every((f) => f.files.length === 0)) {
      ctx.stderr.write(
        "logitstream bench: no benchmarks found (they live in the repository's packages/*/bench)\n",
      );
      return;
    }
    for (const { pkg, dir, files } of found) {
      for (const f of files) {
        if (ctx.signal.aborted) return;
        const header = `\n## @logitstream/${pkg} — ${f}\n\n`;
        const wait = ctx.stdout.write(header);
        if (wait) await wait;
        const code = await runOne(ctx, dir, f, args.positionals);
        if (ctx.signal.aborted) return;
        if (code !== 0) throw new Error(`benchmark ${pkg}/bench/${f} failed (exit ${code})`);
      }
    }
  },
};
