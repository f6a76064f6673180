import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PackageJson } from "./workspacePackages.js";

/** One installed third-party package: where pnpm put it and its package.json. */
export interface InstalledPackage {
  dir: string;
  json: PackageJson;
}

/**
 * The third-party packages `roots` need at run time, as installed in this checkout's node_modules:
 * dependencies, optional dependencies that are installed, and required peer dependencies that are installed,
 * recursively (each resolved from the directory of the package that needs it, as Node does). Names in
 * `skip` (our own packages) are not followed.
 */
export function dependencyClosure(
  roots: readonly { dir: string; json: PackageJson }[],
  skip: ReadonlySet<string>,
): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const visit = (dir: string, json: PackageJson): void => {
    // Optional peers (e.g. a CLI's typescript) are left out: npm does not install them either.
    const peers = Object.keys(json.peerDependencies ?? {}).filter(
      (n) => json.peerDependenciesMeta?.[n]?.optional !== true,
    );
    const wanted: Record<string, unknown> = { ...json.dependencies, ...json.optionalDependencies };
    for (const n of peers) wanted[n] = true;
    for (const name of Object.keys(wanted)) {
      if (skip.has(name)) continue;
      const at = resolveFrom(dir, name);
      if (at === null) {
        const optional =
          json.optionalDependencies?.[name] !== undefined || json.peerDependencies?.[name] !== undefined;
        if (optional) continue;
        throw new Error(`${json.name} needs ${name}, which is not installed (run pnpm install)`);
      }
      const dep = JSON.parse(readFileSync(join(at, "package.json"), "utf8")) as PackageJson;
      const key = `${dep.name}@${dep.version}`;
      if (found.has(key)) continue;
      found.set(key, { dir: at, json: dep });
      visit(at, dep);
    }
  };
  for (const r of roots) visit(r.dir, r.json);
  return [...found.values()];
}

/** Node's lookup of `name` from `dir`: node_modules of dir and of each parent; the real path. */
export function resolveFrom(dir: string, name: string): string | null {
  let d = dir;
  for (;;) {
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/**
 * A tarball of an installed package directory (`package/` prefix, as npm's), cached in `cacheDir` by
 * name and version so later runs reuse it. Nested node_modules are left out. Hard links are stored as
 * files: pnpm's store links identical files to one inode, and npm drops hard-link entries when it
 * extracts (a package would lose every file that had a twin). Fast gzip: the tarball never leaves the
 * machine.
 */
export function tarballOf(pkg: InstalledPackage, cacheDir: string): Uint8Array {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `${pkg.json.name.replace("/", "+")}@${pkg.json.version}.tgz`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    execFileSync("tar", [
      "-cf",
      tmp,
      "--use-compress-program=gzip -1",
      "--hard-dereference",
      "--exclude=./node_modules",
      "--transform=s,^\\.,package,",
      "-C",
      pkg.dir,
      ".",
    ]);
    execFileSync("mv", [tmp, file]);
  }
  return readFileSync(file);
}
