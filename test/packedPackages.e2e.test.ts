import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dependencyClosure, resolveFrom, tarballOf } from "./helpers/dependencyClosure.js";
import { type RegistryEntry, startLocalRegistry } from "./helpers/localRegistry.js";
import {
  type PackageJson,
  ROOT,
  type WorkspacePackage,
  workspacePackages,
} from "./helpers/workspacePackages.js";

// What a user outside the repository gets: every publishable package packed with `pnpm pack` (which
// replaces `workspace:` ranges), installed with npm into a fresh project, type-checked with the repo's
// TypeScript (strict, NodeNext) and run. npm reads from a registry on 127.0.0.1 that serves the packed
// tarballs and the third-party packages as installed in this checkout: no network. Needs `pnpm build`
// first (pnpm test does it).
const run = promisify(execFile);
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const CACHE = join(ROOT, "node_modules/.cache/logitstream-pack-test");

interface Packed {
  pkg: WorkspacePackage;
  tarball: Uint8Array;
  /** package.json as packed. */
  manifest: PackageJson & Record<string, unknown>;
  files: string[];
}

let work: string;
let packed: Packed[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "logitstream-pack-"));
  const out = join(work, "tgz");
  mkdirSync(out);
  packed = [];
  // One pnpm process packs every workspace package (the root is private and skipped).
  await run("pnpm", ["-r", "pack", "--pack-destination", out], { cwd: ROOT, maxBuffer: 16 << 20 });
  const byName = new Map(workspacePackages().map((p) => [p.json.name, p]));
  for (const file of readdirSync(out).sort()) {
    const path = join(out, file);
    const { stdout: list } = await run("tar", ["-tzf", path], { maxBuffer: 64 << 20 });
    const { stdout: json } = await run("tar", ["-xzOf", path, "package/package.json"]);
    const manifest = JSON.parse(json) as Packed["manifest"];
    const pkg = byName.get(manifest.name);
    if (pkg === undefined) continue;
    packed.push({ pkg, tarball: readFileSync(path), manifest, files: list.split("\n") });
  }
  packed.sort((a, b) => a.pkg.path.localeCompare(b.pkg.path));
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("published package shape", () => {
  it("packs every package under packages/ and apps/", () => {
    expect(packed.map((p) => p.pkg.path)).toEqual(
      workspacePackages()
        .map((p) => p.path)
        .sort((a, b) => a.localeCompare(b)),
    );
    expect(packed.length).toBeGreaterThanOrEqual(6);
  });

  it("gives each package MIT, a LICENSE and README in the tarball, engines and its repository directory", () => {
    for (const { pkg, manifest, files } of packed) {
      const where = pkg.path;
      expect({ where, license: manifest.license }).toEqual({ where, license: "MIT" });
      expect({ where, engines: manifest.engines }).toEqual({ where, engines: { node: ">=20" } });
      expect({ where, dir: manifest.repository?.directory }).toEqual({ where, dir: pkg.path });
      expect({ where, url: typeof manifest.repository?.url }).toEqual({ where, url: "string" });
      expect({ where, license: files.includes("package/LICENSE") }).toEqual({ where, license: true });
      expect({ where, readme: files.includes("package/README.md") }).toEqual({ where, readme: true });
      expect({ where, buildInfo: files.filter((f) => f.endsWith(".tsbuildinfo")) }).toEqual({
        where,
        buildInfo: [],
      });
    }
  });

  it("replaces workspace: ranges, pins third-party dependencies exactly, and keeps peers as ranges", () => {
    const ours = new Set(packed.map((p) => p.manifest.name));
    for (const { pkg, manifest } of packed) {
      const text = JSON.stringify({ ...manifest.dependencies, ...manifest.peerDependencies });
      expect({ where: pkg.path, workspace: text.includes("workspace:") }).toEqual({
        where: pkg.path,
        workspace: false,
      });
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        // Our own packages: a caret range, so an app's copy of @logitstream/core is shared, not doubled.
        const ok = ours.has(name) ? /^(\^)?\d+\.\d+\.\d+$/.test(range) : /^\d+\.\d+\.\d+$/.test(range);
        expect({ where: pkg.path, name, range, ok }).toEqual({ where: pkg.path, name, range, ok: true });
      }
    }
  });

  it("has no development export condition (it pointed at TypeScript sources Node cannot load)", () => {
    for (const { pkg, manifest } of packed) {
      expect({
        where: pkg.path,
        dev: JSON.stringify(manifest.exports ?? {}).includes('"development"'),
      }).toEqual({
        where: pkg.path,
        dev: false,
      });
    }
  });

  it("makes rxjs a peer of stream, and stream independent of pool", () => {
    const stream = packed.find((p) => p.manifest.name === "@logitstream/stream")!.manifest;
    expect(stream.peerDependencies).toEqual({ rxjs: "^7.8" });
    expect(stream.dependencies?.rxjs).toBeUndefined();
    expect(stream.dependencies?.["@logitstream/pool"]).toBeUndefined();
  });
});

/** One call per package, in a file an app would write; packages not listed get an import check. */
const CALLS: Record<string, { imports: string; body: string; expected: unknown }> = {
  "@logitstream/core": {
    imports: `import { fromSnakeCaseParams, softmax, type SamplerParams } from "@logitstream/core";`,
    body: `const params: SamplerParams = fromSnakeCaseParams({ top_p: 0.5 });
  const p = softmax(new Float32Array([0, Math.log(3)]));
  out["@logitstream/core"] = [params.topP, Math.round(p[1]! * 1e6) / 1e6];`,
    expected: [0.5, 0.75],
  },
  "@logitstream/wire": {
    imports: `import { detectFormat } from "@logitstream/wire";
import { createRecordWriter } from "@logitstream/wire/node";`,
    body: `out["@logitstream/wire"] = [detectFormat(new TextEncoder().encode("[1,2]\\n")), typeof createRecordWriter];`,
    expected: ["ndjson", "function"],
  },
  "@logitstream/pool": {
    imports: `import { createPool } from "@logitstream/pool";`,
    body: `const pool = createPool({ threads: 1, inlineThreshold: 0 });
  const sampled = await pool.sample({ data: new Float32Array([0, 5, 1]), rows: 1, vocab: 3 }, { temperature: 0 });
  await pool.close();
  out["@logitstream/pool"] = Array.from(sampled.tokens);`,
    expected: [1],
  },
  "@logitstream/stream": {
    imports: `import { generate, isFinishEvent, toOpenAILogprob } from "@logitstream/stream";
import { toTextReadable } from "@logitstream/stream/node";`,
    // A 3-token model that always prefers token 2 ("c"); OpenAI-shaped logprobs with text and bytes.
    body: `const tokens: number[] = [];
  const model = { vocabSize: 3, next: () => new Float32Array([0, 0, 9]) };
  const bytes = (id: number) => new TextEncoder().encode("abc"[id]!);
  let openai: unknown;
  for await (const ev of generate(model, [0], { temperature: 0 }, { maxTokens: 2, logprobs: 1 })) {
    if (isFinishEvent(ev)) break;
    tokens.push(ev.token);
    openai = toOpenAILogprob(ev, { tokenBytes: bytes }).top_logprobs.map((t) => [t.token, t.bytes]);
  }
  out["@logitstream/stream"] = [tokens, typeof toTextReadable, openai];`,
    expected: [[2, 2], "function", [["c", [99]]]],
  },
  "@logitstream/ngram": {
    imports: `import { BpeTokenizer } from "@logitstream/ngram";`,
    // cl100k_base ids of "hello world" (tiktoken's).
    body: `out["@logitstream/ngram"] = new BpeTokenizer().encode("hello world");`,
    expected: [15339, 1917],
  },
  "@logitstream/grammar": {
    imports: `import { compileAutomaton } from "@logitstream/grammar";`,
    body: `const a = compileAutomaton({ regex: "ab" });
  out["@logitstream/grammar"] = [typeof a.start, a.accepts(a.start)];`,
    expected: ["number", false],
  },
  "@logitstream/queue": {
    imports: `import { parseQueueUrl } from "@logitstream/queue";`,
    body: `out["@logitstream/queue"] = typeof parseQueueUrl("redis://127.0.0.1:6379");`,
    expected: "object",
  },
};

function appSource(names: readonly string[]): { source: string; expected: Record<string, unknown> } {
  const imports: string[] = [];
  const body: string[] = [];
  const expected: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const call = CALLS[name];
    if (call !== undefined) {
      imports.push(call.imports);
      body.push(call.body);
      expected[name] = call.expected;
    } else {
      imports.push(`import * as pkg${i} from "${name}";`);
      body.push(`out["${name}"] = Object.keys(pkg${i}).length > 0;`);
      expected[name] = true;
    }
  });
  const source = `${imports.join("\n")}

const out: Record<string, unknown> = {};
async function main(): Promise<void> {
  ${body.join("\n  ")}
}
await main();
process.stdout.write(JSON.stringify(out));
`;
  return { source, expected };
}

/**
 * Packages whose shape is checked above but that the npm install below leaves out, with the reason. Their
 * dependency closure would make this test too slow to run on every `pnpm test`.
 */
const NOT_INSTALLED: Record<string, string> = {
  "@logitstream/llama":
    "node-llama-cpp 3.22.1 is a 36 MB tarball with ~140 dependencies and native builds; the CLI depends on llama optionally",
};

describe("installing the packed tarballs with npm", () => {
  it("type-checks (strict, NodeNext) and runs one call of each package, and the CLI's bin", async () => {
    const ours = new Set(packed.map((p) => p.manifest.name));
    const installed = packed.filter((p) => NOT_INSTALLED[p.manifest.name] === undefined);
    // The app's own rxjs (stream's peer) and @types/node come from this checkout, like the rest.
    const extra: { dir: string; json: PackageJson }[] = [
      { dir: ROOT, json: { name: "app", version: "0.0.0", dependencies: { "@types/node": "*" } } },
    ];
    const third = dependencyClosure([...installed.map((p) => p.pkg), ...extra], ours);
    const entries: RegistryEntry[] = installed.map((p) => ({ manifest: p.manifest, tarball: p.tarball }));
    for (const dep of third) {
      entries.push({
        manifest: dep.json as RegistryEntry["manifest"],
        tarball: tarballOf(dep, CACHE),
      });
    }
    const registry = await startLocalRegistry(entries);
    try {
      const app = join(work, "app");
      mkdirSync(join(app, "src"), { recursive: true });
      const libraries = installed
        .filter((p) => p.manifest.exports?.["."] !== undefined)
        .map((p) => p.manifest.name);
      const typesNode = JSON.parse(
        readFileSync(join(resolveFrom(ROOT, "@types/node")!, "package.json"), "utf8"),
      );
      const rxjs = third.find((d) => d.json.name === "rxjs")!.json.version;
      const dependencies: Record<string, string> = { rxjs };
      for (const p of installed) dependencies[p.manifest.name] = p.manifest.version;
      writeFileSync(
        join(app, "package.json"),
        JSON.stringify({
          name: "app",
          private: true,
          type: "module",
          dependencies,
          devDependencies: { "@types/node": typesNode.version },
        }),
      );
      writeFileSync(join(app, ".npmrc"), `registry=${registry.url}\n`);
      writeFileSync(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2023"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            types: ["node"],
            rootDir: "src",
            outDir: "dist",
            skipLibCheck: true,
          },
          include: ["src"],
        }),
      );
      const { source, expected } = appSource(libraries);
      writeFileSync(join(app, "src/main.ts"), source);

      const env = {
        ...process.env,
        npm_config_registry: registry.url,
        npm_config_userconfig: join(app, ".npmrc"),
      };
      await run(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--ignore-scripts",
          "--cache",
          join(CACHE, "npm"),
          "--loglevel=error",
        ],
        { cwd: app, env, maxBuffer: 64 << 20 },
      );
      // Our packages resolve to what was packed, and there is one copy of core and of rxjs.
      const { stdout: ls } = await run("npm", ["ls", "--all", "--json"], {
        cwd: app,
        env,
        maxBuffer: 64 << 20,
      });
      const copies = (name: string) =>
        (ls.match(new RegExp(`"${name.replace("/", "\\/")}":\\s*\\{\\s*"version"`, "g")) ?? []).length;
      expect(copies("rxjs")).toBeGreaterThanOrEqual(1);
      expect(readdirSync(join(app, "node_modules/@logitstream")).sort()).toEqual(
        libraries.map((n) => n.replace("@logitstream/", "")).sort(),
      );

      const tsc = await run(process.execPath, [TSC, "-p", app], { cwd: app }).then(
        () => "",
        (e: { stdout?: string }) => e.stdout ?? String(e),
      );
      expect(tsc).toBe("");
      const { stdout } = await run(process.execPath, [join(app, "dist/main.js")], { cwd: app });
      expect(JSON.parse(stdout)).toEqual(expected);

      // The installed core + stream bundle for a browser, with no flags.
      const browser = await build({
        stdin: {
          contents: `import { softmax } from "@logitstream/core";
import { generate } from "@logitstream/stream";
const m = { vocabSize: 2, next: () => softmax(new Float32Array([0, 1])) };
for await (const ev of generate(m, [0], {}, { maxTokens: 1 })) console.log(ev.token);`,
          resolveDir: app,
          loader: "js",
        },
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        logLevel: "silent",
      });
      expect(browser.outputFiles[0]!.text).not.toMatch(/from\s*["']node:/);

      if (installed.some((p) => p.manifest.name === "logitstream")) {
        const bin = join(app, "node_modules/.bin/logitstream");
        const child = execFile(bin, ["sample", "--temperature", "0"], { cwd: app });
        child.stdin!.end("[0, 5, 1]\n");
        let text = "";
        child.stdout!.on("data", (d: Buffer) => {
          text += d.toString();
        });
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        expect(code).toBe(0);
        expect(JSON.parse(text)).toMatchObject({ row: 0, token: 1 });
      }
    } finally {
      await registry.close();
    }
  }, 120_000);
});
