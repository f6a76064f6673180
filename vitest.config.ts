import { defineConfig } from "vitest/config";
import { CountsReporter } from "./scripts/countsReporter.js";

// One root config for every package: `pnpm test` builds first (pool tests need dist/worker.js),
// then runs all of packages/*/test, apps/*/test, examples/*/test and the repo-level test/ (browser
// bundles, packed tarballs). The counts reporter prints the plain
// "N passed, N failed, N skipped" closing line that CI reads.
export default defineConfig({
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    reporters: ["default", new CountsReporter()],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
