// Writes a package's runtime JavaScript: its own src/ bundled by esbuild into the dist/ files its
// package.json points at (every `exports` entry's "default", and `bin`), after `tsc -b` has type-checked
// and written the .d.ts files (tsc emits declarations only: tsconfig.base.json).
//
//   node ../../scripts/bundlePackage.mjs [src/extra.ts …] [--internal src/a.ts,src/b.ts] [--inline pkg,pkg]
//
// Why: a CLI run loaded ~217 ES modules (each resolved, stat'ed, read, compiled and linked by Node's
// loader), which was most of its start-up. Now it is one file per entry point, not one per source file.
//
// Why per package and not one bundle of the whole CLI: each package must exist exactly once at run time
// (the CLI tells errors apart with `instanceof` on core's classes, and core holds module state such as
// the kernel backend), and each package's npm dependencies must keep resolving from that package's own
// node_modules (pnpm's strict layout; bullmq reads its Lua scripts from its package directory,
// node-llama-cpp is a native addon). So every bare import stays an import: other @logitstream packages
// and npm packages alike (`packages: "external"`), and Node's builtins.
//
// Entry points (the package's, plus extra src files named on the command line, such as the CLI's lens
// worker) are built together with code splitting: a module two entries use goes into a shared chunk,
// loaded once, so its state (an error class, a backend setting) is never duplicated. Chunks sit directly
// in dist/ beside the entries, so the `import.meta.url`-relative paths in src (../model,
// ./workerBundle.js, ./lensWorker.js, ../package.json) still hold.
//
// --internal: modules a bench, a script or a test fixture needs that the package does not export
// (core's kernel backends, the pool's task handler). They go into dist/internal.js, a SEPARATE,
// self-contained bundle (`export *` of each listed module), so that they do not split the published
// entries into chunks. It holds its own copy of the modules it inlines: whoever imports it takes
// everything of that package from it (list src/index.ts too when the package's API is needed), never
// from the package's index as well. Nothing published points at it (package.json exports).
//
// --inline (apps only): npm or workspace packages bundled into the app instead of imported. The CLI inlines
// rxjs and the stream package, its only user in the CLI's process: rxjs's Node build is CommonJS, 224 modules
// that Node loads one by one (~130 ms of CPU on every `generate`), and nothing outside the CLI's bundle shares
// its rxjs or its stream package, so one copy each still holds.
//
// Every build first deletes the .js and .js.map files in dist/: they are all this script's output
// (pool's scripts/bundleWorker.mjs runs after it), and a stale one (a per-file module of a build from
// before the bundles, or a chunk under an old hash) must not stay importable beside the bundles.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** The src/ file a dist/ path is built from: ./dist/a/b.js → src/a/b.ts. */
function sourceOf(distPath) {
  const m = /^(?:\.\/)?dist\/(.+)\.js$/.exec(distPath);
  if (!m) throw new Error(`${pkg.name}: ${distPath} is not a dist/*.js path`);
  return `src/${m[1]}.ts`;
}

const published = [];
for (const target of Object.values(pkg.exports ?? {})) {
  const file = typeof target === "string" ? target : target?.default;
  if (typeof file === "string" && file.endsWith(".js")) published.push(sourceOf(file));
}
for (const file of typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {}))
  published.push(sourceOf(file));
const args = process.argv.slice(2);
const at = args.indexOf("--internal");
const internal = at >= 0 ? args.splice(at, 2)[1].split(",") : [];
const inlineAt = args.indexOf("--inline");
const inline = inlineAt >= 0 ? args.splice(inlineAt, 2)[1].split(",") : [];
const entryPoints = [...new Set([...published, ...args])];
if (entryPoints.length === 0)
  throw new Error(`${pkg.name}: no entry point (package.json has no exports or bin)`);

function removeOldOutput(dir) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of names) {
    const path = join(dir, d.name);
    if (d.isDirectory()) removeOldOutput(path);
    else if (d.name.endsWith(".js") || d.name.endsWith(".js.map")) rmSync(path);
  }
}
removeOldOutput(join(root, "dist"));

/** The package name of a bare import: "rxjs/operators" → "rxjs", "@a/b/c" → "@a/b". */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/**
 * `packages: "external"`, except for the packages named by --inline, which are bundled together with what
 * they import from npm (rxjs's tslib) — but never another @logitstream package: those stay imports, one copy
 * each. Only an app may inline (the CLI, for rxjs and the stream package: see the CLI's build script).
 */
function externalUnlessInlined(names) {
  const srcDir = join(root, "src");
  return {
    name: "external-unless-inlined",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("node:")) return { path: args.path, external: true };
        const name = packageName(args.path);
        if (names.includes(name)) return undefined; // bundled
        const fromOwnSource = args.importer.startsWith(srcDir);
        if (fromOwnSource || name.startsWith("@logitstream/")) return { path: args.path, external: true };
        return undefined; // imported by inlined code: bundled with it
      });
    },
  };
}

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "es2022",
  ...(inline.length === 0 ? { packages: "external" } : { plugins: [externalUnlessInlined(inline)] }),
  // Class and function names stay as written: errors report `new.target.name`, and esbuild would
  // otherwise rename a class whose name collides with another module's top-level name.
  keepNames: true,
  sourcemap: true,
  // The maps point at src/, which every package publishes beside dist/.
  sourcesContent: false,
  logLevel: "warning",
};
await build({ ...common, entryPoints, outbase: "src", outdir: "dist", splitting: true });
if (internal.length > 0)
  await build({
    ...common,
    stdin: {
      contents: internal.map((file) => `export * from ${JSON.stringify(`./${file}`)};`).join("\n"),
      resolveDir: root,
      sourcefile: "internal.ts",
      loader: "ts",
    },
    outfile: "dist/internal.js",
  });
