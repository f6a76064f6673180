// Held-out evaluation through the project's own scoring path:
// `pnpm --filter @logitstream/ngram evaluate [--limit N] [--batch 64]`.
// For every token of the held-out split (see README), the model writes a full row of V log-probabilities
// (NgramModel.nextInto, into a rows × V batch), and core's scoreBatch(data, rows, vocab, targets) scores
// the batch: log-probability of the actual token, its rank. Perplexity = exp(mean NLL) over all
// predicted tokens (paragraph-boundary tokens included). Baselines are trained here on the same
// training split; the shipped model is loaded from its file.
import { parseArgs } from "node:util";
import { scoreBatch } from "@logitstream/core";
import { loadModel, trainModel } from "../dist/index.js";
import { brownStreams } from "./brownStreams.mjs";

const { values } = parseArgs({
  options: { limit: { type: "string", default: "0" }, batch: { type: "string", default: "64" } },
});
const { train, heldout, eos, tokenizer } = brownStreams();
const V = tokenizer.vocabSize;
const h = heldout.tokens;
const end = Number(values.limit) > 0 ? Math.min(h.length, Number(values.limit) + 1) : h.length;
const B = Number(values.batch);
console.log(
  `held-out split: ${heldout.files} files, ${heldout.paragraphs} paragraphs, ${end - 1} predicted tokens; training split: ${train.tokens.length} tokens`,
);

const models = [
  ["unigram (order 1)", () => trainModel(train.tokens, { order: 1, vocabSize: V, eosId: eos })],
  [
    "bigram (order 2, interpolated modified KN)",
    () => trainModel(train.tokens, { order: 2, vocabSize: V, eosId: eos }),
  ],
  ["trigram (order 3, unpruned)", () => trainModel(train.tokens, { order: 3, vocabSize: V, eosId: eos })],
  ["**shipped: trigram, min-count 2** (`loadModel()`)", () => loadModel()],
  ["4-gram (order 4, unpruned)", () => trainModel(train.tokens, { order: 4, vocabSize: V, eosId: eos })],
];

const batch = new Float32Array(B * V);
const targets = new Int32Array(B);
const rowsOut = [];
for (const [name, make] of models) {
  const t0 = performance.now();
  const model = make();
  let nll = 0;
  let n = 0;
  let top1 = 0;
  let maxDiff = 0;
  for (let i = 1; i < end; i += B) {
    const rows = Math.min(B, end - i);
    for (let r = 0; r < rows; r++) {
      const pos = i + r;
      model.nextInto(h.subarray(Math.max(0, pos - model.order + 1), pos), batch, r * V);
      targets[r] = h[pos];
    }
    const scored = scoreBatch(batch, rows, V, targets, { firstRow: i - 1 });
    for (let r = 0; r < rows; r++) {
      nll -= scored.logprobs[r];
      if (scored.ranks[r] === 1) top1++;
      n++;
    }
    // Cross-check one row per batch against the model's own float64 log-probability.
    const direct = model.logProb(h.subarray(Math.max(0, i - model.order + 1), i), h[i]);
    maxDiff = Math.max(maxDiff, Math.abs(direct - scored.logprobs[0]));
  }
  if (maxDiff > 1e-4) throw new Error(`${name}: scoreBatch and logProb disagree by ${maxDiff}`);
  const row = {
    name,
    tokens: n,
    nll: nll / n,
    ppl: Math.exp(nll / n),
    top1: top1 / n,
    seconds: (performance.now() - t0) / 1000,
  };
  rowsOut.push(row);
  console.log(
    `${name}: perplexity ${row.ppl.toFixed(2)}, mean NLL ${row.nll.toFixed(4)} nats, top-1 ${(100 * row.top1).toFixed(2)}% (max |scoreBatch − logProb| ${maxDiff.toExponential(1)}, ${row.seconds.toFixed(0)} s)`,
  );
}
console.log(
  "\n| model | held-out tokens | mean NLL (nats/token) | perplexity | bits/token | top-1 accuracy |\n|---|---:|---:|---:|---:|---:|",
);
for (const r of rowsOut) {
  console.log(
    `| ${r.name} | ${r.tokens} | ${r.nll.toFixed(4)} | ${r.ppl.toFixed(2)} | ${(r.nll / Math.LN2).toFixed(3)} | ${(100 * r.top1).toFixed(2)}% |`,
  );
}
