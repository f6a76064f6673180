import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { CountsReporter } from "./scripts/countsReporter.js";

/**
 * Packages whose tests are plain in-process JavaScript (no child processes, no native addons, no
 * process-wide state such as process.chdir): they run in worker threads, which start far faster than
 * the forked processes every other test file gets (a fork per file was most of the suite's time).
 */
const IN_PROCESS = "packages/{core,wire,stream,ngram,grammar,queue}/test/**/*.test.ts";

/**
 * The CLI's own test files (not the reliability suite): each drives the built command as child
 * processes and keeps no state of its own, so in `pnpm test` they share forked processes (not isolated)
 * instead of a new one per file, which cost ~0.45 s of CPU each. test:full isolates them: at the full
 * sizes some build 100 MB fixtures, which a shared process would hold from one file to the next.
 */
const CLI_FILES = "apps/cli/test/*.test.ts";
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by vitest when it starts, no turbo task depends on it
const FULL = process.env.LOGITSTREAM_FULL_TESTS === "1";

/**
 * End-to-end files: they need programs beyond Node (redis-server, Chromium, npm packing and
 * installing) or spend tens of seconds driving real processes (the CLI on a GGUF model). They are
 * named `*.e2e.test.ts` and run in `pnpm test:full` only; every other file is in the fast loop.
 */
const E2E = "**/*.e2e.test.ts";

const EVERY_PACKAGE = [
  "packages/*/test/**/*.test.ts",
  "apps/*/test/**/*.test.ts",
  "examples/*/test/**/*.test.ts",
  "test/**/*.test.ts",
];

// One root config for every package, in four projects:
//   in-process  the pure-JavaScript packages, worker threads, not isolated per file;
//   cli         the CLI's test files (apps/cli/test/*.test.ts), forked processes, not isolated in pnpm test;
//   processes   every other *.test.ts (pools, native addons, the CLI reliability suite), a forked process per file;
//   e2e         the *.e2e.test.ts files, a forked process per file.
// `pnpm test` builds first (pool tests and the CLI runs need dist/), then runs in-process, cli and processes,
// the reliability suite (apps/cli/test/reliability) at reduced sizes. `pnpm test:full` runs all three
// projects with LOGITSTREAM_FULL_TESTS=1, the full sizes (apps/cli/test/reliability/helpers.ts and the
// tests that read it). The counts reporter prints the plain "N passed, N failed, N skipped" closing line
// that CI reads.
export default defineConfig({
  test: {
    reporters: ["default", new CountsReporter()],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, which ran every
    // file one after the other while most of them wait on child processes. Two at least keep the
    // cores busy.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        extends: true,
        test: {
          name: "in-process",
          include: [IN_PROCESS],
          exclude: [E2E, "**/node_modules/**"],
          pool: "threads",
          // A worker thread runs its files one after the other with their modules loaded once, not
          // a fresh module graph per file (that reloading was three quarters of these files' time).
          // So a file that changes module state (setKernelBackend) restores it in afterAll.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "cli",
          include: [CLI_FILES],
          exclude: [E2E, "**/node_modules/**"],
          pool: "forks",
          isolate: FULL,
        },
      },
      {
        extends: true,
        test: {
          name: "processes",
          include: EVERY_PACKAGE,
          exclude: [IN_PROCESS, CLI_FILES, E2E, "**/node_modules/**"],
          pool: "forks",
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: [E2E],
          exclude: ["**/node_modules/**"],
          pool: "forks",
          // One at a time, after the other projects: each drives several processes of its own (three
          // workers and a coordinator, a browser, npm), so two side by side would only compete for
          // the cores their per-test limits were set for.
          maxWorkers: 1,
        },
      },
    ],
  },
});
