// Trains the embedded model: `pnpm --filter @logitstream/ngram train [--order 3] [--min-count 2] [--out FILE]`.
// Brown corpus (training split, see README) → cl100k tokens → interpolated modified Kneser-Ney counts →
// highest-order count cutoff → model file (gzip of the .lsng format). Deterministic: same inputs, same bytes.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { countNgrams, decodeModelFile, encodeModelFile, pruneNgrams } from "../dist/index.js";
import { brownStreams } from "./brownStreams.mjs";

const { values } = parseArgs({
  options: {
    order: { type: "string", default: "3" },
    "min-count": { type: "string", default: "2" },
    out: {
      type: "string",
      default: new URL("../model/brown-cl100k-3gram.lsng.gz", import.meta.url).pathname,
    },
  },
});
const order = Number(values.order);
const minCount = Number(values["min-count"]);

let t = performance.now();
const { train, eos, tokenizer } = brownStreams();
console.log(
  `training split: ${train.files} files, ${train.paragraphs} paragraphs, ${train.tokens.length} tokens (${(performance.now() - t).toFixed(0)} ms to read and tokenize)`,
);
t = performance.now();
const counts = countNgrams(train.tokens, { order, vocabSize: tokenizer.vocabSize, eosId: eos });
const pruned = order > 1 ? pruneNgrams(counts, minCount) : counts;
console.log(
  `counted in ${(performance.now() - t).toFixed(0)} ms; entries per order: ${counts.counts.map((c) => c.length).join(", ")}; after min-count ${minCount}: ${pruned.counts.map((c) => c.length).join(", ")}`,
);
console.log(
  `discounts [D1, D2, D3+] per order: ${[...Array(order).keys()].map((L) => `[${[...pruned.discounts.subarray(3 * L, 3 * L + 3)].map((d) => d.toFixed(4)).join(", ")}]`).join(" ")}`,
);
const raw = encodeModelFile(pruned);
const file = gzipSync(raw, { level: 9 });
// Self-check: the file decodes to the same counts (re-encoding gives the same bytes).
const again = encodeModelFile(decodeModelFile(gunzipSync(file)));
if (Buffer.compare(Buffer.from(again), Buffer.from(raw)) !== 0)
  throw new Error("model file round trip is not exact");
writeFileSync(values.out, file);
console.log(`wrote ${values.out}: ${file.length} bytes (${raw.length} before gzip)`);
