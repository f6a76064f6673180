import { defineConfig } from "vitest/config";
import { CountsReporter } from "./scripts/countsReporter.js";

/**
 * Packages whose tests are plain in-process JavaScript (no child processes, no native addons, no
 * process-wide state such as process.chdir): they run in worker threads, which start far faster than
 * the forked processes every other test file gets (a fork per file was most of the suite's time).
 */
const IN_PROCESS = "packages/{core,wire,stream,ngram}/test/**/*.test.ts";

// One root config for every package: `pnpm test` builds first (pool tests need dist/worker.js),
// then runs all of packages/*/test, apps/*/test, examples/*/test and the repo-level test/ (browser
// bundles, packed tarballs), the CLI's reliability suite at reduced sizes; `pnpm test:full` sets
// LOGITSTREAM_FULL_TESTS=1 for the full sizes (apps/cli/test/reliability/helpers.ts and the tests
// that read it). The counts reporter prints the plain "N passed, N failed, N skipped" closing line
// that CI reads.
export default defineConfig({
  test: {
    reporters: ["default", new CountsReporter()],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "in-process", include: [IN_PROCESS], pool: "threads" } },
      {
        extends: true,
        test: {
          name: "processes",
          include: [
            "packages/*/test/**/*.test.ts",
            "apps/*/test/**/*.test.ts",
            "examples/*/test/**/*.test.ts",
            "test/**/*.test.ts",
          ],
          exclude: [IN_PROCESS, "**/node_modules/**"],
          pool: "forks",
        },
      },
    ],
  },
});
