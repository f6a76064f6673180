import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs example without type declarations
import { run, toyModel, WORDS } from "../app.mjs";

const dir = fileURLToPath(new URL("..", import.meta.url));

describe("example browser page", () => {
  it("bundles for the browser with esbuild, no flags, no Node module", async () => {
    const r = await build({
      entryPoints: [`${dir}/main.mjs`],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    const text = r.outputFiles[0]!.text;
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(text).toContain("querySelector");
  });

  it("walks the vocabulary greedily, ending at EOS (the toy model's rule, by hand)", async () => {
    const steps: { word: string; p: number }[] = [];
    const words = await run([0], { temperature: 0 }, (s: { word: string; p: number }) => steps.push(s));
    // After "the" (0): cat, sat, on, mat, then "." is EOS and is not emitted.
    expect(words).toEqual(["cat", "sat", "on", "mat"]);
    // Each step's row is [0 … 3 … 0] over 6 words: p = e³ / (e³ + 5).
    const p = Math.E ** 3 / (Math.E ** 3 + 5);
    for (const s of steps) expect(s.p).toBeCloseTo(p, 6);
    expect(WORDS.length).toBe(toyModel.vocabSize);
  });
});
