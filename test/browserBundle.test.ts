import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// Resolves the packages as an app would (their package.json exports → dist): from the stream package,
// whose node_modules hold core, wire and rxjs. Needs `pnpm build` first (pnpm test does it).
const resolveDir = fileURLToPath(new URL("../packages/stream", import.meta.url));

async function bundle(entry: string): Promise<{ ok: true; text: string } | { ok: false; errors: string[] }> {
  try {
    const r = await build({
      stdin: { contents: entry, resolveDir, loader: "js" },
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    return { ok: true, text: r.outputFiles[0]!.text };
  } catch (e) {
    return { ok: false, errors: (e as { errors: { text: string }[] }).errors.map((x) => x.text) };
  }
}

describe("browser bundles (esbuild --platform=browser, no flags)", () => {
  it.each(["@logitstream/core", "@logitstream/wire", "@logitstream/stream"])(
    "bundles the main entry of %s with no Node module in it",
    async (name) => {
      const r = await bundle(`export * from "${name}";`);
      expect(r.ok ? [] : r.errors).toEqual([]);
      if (r.ok) expect(r.text).not.toMatch(/from\s*["']node:|require\(["']node:/);
    },
  );

  it("bundles an app that generates with core + stream and iterates with for await", async () => {
    const r = await bundle(`
      import { createSampler } from "@logitstream/core";
      import { generate, decodeText } from "@logitstream/stream";
      const model = { vocabSize: 4, next: (ctx) => new Float32Array([0, ctx.length, 1, 2]) };
      for await (const ev of generate(model, [0], { seed: 1 }, { maxTokens: 3 })) console.log(ev.token);
      console.log(createSampler, decodeText);
    `);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it.each(["@logitstream/stream/node", "@logitstream/wire/node"])(
    "keeps the Node adapters at %s, which do not bundle for browsers",
    async (name) => {
      const r = await bundle(`export * from "${name}";`);
      expect(r.ok).toBe(false);
      expect(r.ok ? "" : r.errors.join("\n")).toMatch(/node:(stream|events)/);
    },
  );
});
