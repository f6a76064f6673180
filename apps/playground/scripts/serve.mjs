// `pnpm playground`: serves the built page (apps/playground/dist) on loopback and prints its URL.
// Usage: node apps/playground/scripts/serve.mjs [--port N]   (default 4173; 0 = any free port)
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./staticServer.mjs";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
if (!existsSync(`${dist}index.html`)) {
  console.error("apps/playground/dist is missing: run `pnpm build` first (`pnpm playground` does both).");
  process.exit(1);
}
const at = process.argv.indexOf("--port");
const port = at >= 0 ? Number(process.argv[at + 1]) : 4173;
const { url } = await startStaticServer(dist, port);
console.log(`logitstream playground: ${url}  (Ctrl-C to stop)`);
