import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** One publishable workspace package: its directory and package.json. */
export interface WorkspacePackage {
  dir: string;
  /** `packages/core`, `apps/cli`. */
  path: string;
  json: PackageJson;
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

/** Every non-private package under packages/ and apps/, whatever packages exist today. */
export function workspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const file = join(ROOT, group, name, "package.json");
      if (!existsSync(file)) continue;
      const json = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
      if (json.private === true) continue;
      out.push({ dir: join(ROOT, group, name), path: `${group}/${name}`, json });
    }
  }
  return out;
}
