import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One version a registry serves: its manifest (package.json) and its tarball bytes. */
export interface RegistryEntry {
  manifest: { name: string; version: string } & Record<string, unknown>;
  tarball: Uint8Array;
}

/** A running loopback registry. */
export interface LocalRegistry {
  url: string;
  /** Package names asked for that the registry does not hold (optional platform builds, optional peers). */
  misses: Set<string>;
  close(): Promise<void>;
}

/**
 * A read-only npm registry on 127.0.0.1 serving the given packages, so `npm install` runs with no
 * network: packuments at `/<name>` (scoped names with `/` or `%2f`), tarballs at `/-/<n>.tgz`.
 * Anything else is a 404, which npm treats as "not found" (fatal for a required dependency, skipped
 * for an optional one).
 */
export async function startLocalRegistry(entries: readonly RegistryEntry[]): Promise<LocalRegistry> {
  const byName = new Map<string, RegistryEntry[]>();
  for (const e of entries) {
    const list = byName.get(e.manifest.name) ?? [];
    list.push(e);
    byName.set(e.manifest.name, list);
  }
  const tarballs: Uint8Array[] = [];
  const tarballIndex = new Map<RegistryEntry, number>();
  for (const e of entries) tarballIndex.set(e, tarballs.push(e.tarball) - 1);
  const misses = new Set<string>();
  let base = "";

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    const tgz = /^\/-\/(\d+)\.tgz$/.exec(path);
    if (tgz !== null) {
      const bytes = tarballs[Number(tgz[1])];
      if (bytes === undefined) return notFound(res);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
      res.end(bytes);
      return;
    }
    const name = path.slice(1);
    const list = byName.get(name);
    if (list === undefined) {
      misses.add(name);
      return notFound(res);
    }
    const versions: Record<string, unknown> = {};
    let latest = list[0]!.manifest.version;
    for (const e of list) {
      versions[e.manifest.version] = {
        ...e.manifest,
        _id: `${name}@${e.manifest.version}`,
        // The integrity lets npm reuse its cache across runs (it is keyed by content).
        dist: { tarball: `${base}/-/${tarballIndex.get(e)}.tgz`, integrity: integrityOf(e.tarball) },
      };
      latest = e.manifest.version;
    }
    const body = JSON.stringify({ name, "dist-tags": { latest }, versions });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    misses,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

const integrities = new WeakMap<Uint8Array, string>();
function integrityOf(bytes: Uint8Array): string {
  let v = integrities.get(bytes);
  if (v === undefined) {
    v = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
    integrities.set(bytes, v);
  }
  return v;
}

function notFound(res: import("node:http").ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json" });
  res.end('{"error":"not found"}');
}
