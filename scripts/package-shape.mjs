// Gives every workspace package the publishable shape the pack test checks (tests/packShape):
// license (and a copy of the root LICENSE file), repository (with its directory), engines,
// publishConfig, files without build info, and no `development` export condition. Run after adding a package: `node scripts/package-shape.mjs`.
// Only these fields are written; everything else in a package.json is left as it is.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const REPOSITORY_URL = "git+https://github.com/logitstream/logitstream.git";

for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, group))) {
    const file = join(root, group, name, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    pkg.license = "MIT";
    pkg.repository = { type: "git", url: REPOSITORY_URL, directory: `${group}/${name}` };
    pkg.engines = { node: ">=20" };
    if (pkg.name.startsWith("@")) pkg.publishConfig = { access: "public" };
    if (Array.isArray(pkg.files) && !pkg.files.includes("!dist/.tsbuildinfo"))
      pkg.files.push("!dist/.tsbuildinfo");
    for (const entry of Object.values(pkg.exports ?? {})) {
      if (entry !== null && typeof entry === "object") delete entry.development;
    }
    writeFileSync(file, `${JSON.stringify(order(pkg), null, 2)}\n`);
    copyFileSync(join(root, "LICENSE"), join(root, group, name, "LICENSE"));
  }
}

/** The conventional key order, so a diff of a package.json stays readable. */
function order(pkg) {
  const first = ["name", "version", "description", "license", "repository", "type", "sideEffects", "engines"];
  const out = {};
  for (const k of first) if (k in pkg) out[k] = pkg[k];
  for (const k of Object.keys(pkg)) if (!(k in out)) out[k] = pkg[k];
  return out;
}
