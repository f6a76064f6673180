// Copies the embedded n-gram model (the one file the page fetches at start) from @logitstream/ngram into
// public/, where Vite serves it and copies it into the built folder. The copy is not committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const ngramDir = dirname(require.resolve("@logitstream/ngram/package.json"));
const publicDir = new URL("../public/", import.meta.url);
mkdirSync(publicDir, { recursive: true });
copyFileSync(join(ngramDir, "model", "brown-cl100k-3gram.lsng.gz"), new URL("model.lsng.gz", publicDir));
