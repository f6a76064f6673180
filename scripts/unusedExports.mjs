// Unused-export check: every name a package's src/ file exports must be used by some other file of
// the repository (another source file, the package's index.ts re-exports, a test, a bench, an app or
// an example). An export nobody imports is dead code or an internal that should not be exported.
//
// Usage: node scripts/unusedExports.mjs [package dirs…]   (default: every packages/* and apps/* with a src/)
// Exit 1 with one line per unused export (file:line name), 0 when there is none.
//
// Method: word-level, not a type checker: a name counts as used when it appears as a whole word in
// another file. A false "used" is possible (the same word elsewhere); a false "unused" is not, so the
// check never blocks correct code. Generated files (*.generated.ts) and index.ts are not checked.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const targets =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["packages", "apps"].flatMap((d) =>
        readdirSync(join(root, d))
          .map((name) => `${d}/${name}`)
          .filter((dir) => existsSync(join(root, dir, "src"))),
      );

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", ".turbo", ".git", "coverage"]);

/** Every source-like file under dir (recursively), skipping build output and dependencies. */
function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

const files = ["packages", "apps", "examples", "scripts"].flatMap((d) => walk(join(root, d)));
const words = new Map(); // file → set of identifiers in it
for (const f of files) words.set(f, new Set(readFileSync(f, "utf8").match(/[A-Za-z_$][\w$]*/g) ?? []));

const EXPORT =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;

const unused = [];
for (const target of targets) {
  const src = join(root, target, "src");
  for (const file of walk(src)) {
    if (/\.generated\.ts$/.test(file) || /[\\/]index\.ts$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(EXPORT)) {
      const name = m[1];
      let used = false;
      for (const [other, set] of words) {
        if (other !== file && set.has(name)) {
          used = true;
          break;
        }
      }
      if (!used) {
        const line = text.slice(0, m.index).split("\n").length;
        unused.push(`${relative(root, file)}:${line} ${name}`);
      }
    }
  }
}

if (unused.length > 0) {
  console.error(`unused exports (${unused.length}): export them from nowhere, or use them:`);
  for (const u of unused) console.error(`  ${u}`);
  process.exit(1);
}
console.log(`unused exports: none in ${targets.join(", ")}`);
