// Held-out evaluation through the project's own scoring path:
// `pnpm --filter @logitstream/ngram evaluate [--stride 8] [--batch 64]`.
//
// For every `stride`-th token of the held-out split (see README), the model writes the full row of
// V = 100,277 log-probabilities (NgramModel.nextInto, into a rows × V batch) and core's
// scoreBatch(data, rows, vocab, targets) scores the batch: the log-probability of the actual token and
// its rank. Perplexity = exp(mean NLL) over the scored tokens (paragraph-boundary tokens included).
// Every token of the held-out split is also scored with the model's own float64 logProb (the
// "all tokens" column), and each scoreBatch result is checked against logProb for the same token.
// Baselines are trained here on the same training split; the shipped model is loaded from its file.
import { parseArgs } from "node:util";
import { scoreBatch } from "@logitstream/core";
import { loadModel, trainModel } from "../dist/index.js";
import { brownStreams } from "./brownStreams.mjs";

const { values } = parseArgs({
  options: { stride: { type: "string", default: "8" }, batch: { type: "string", default: "64" } },
});
const stride = Number(values.stride);
const B = Number(values.batch);
const { train, heldout, eos, tokenizer } = brownStreams();
const V = tokenizer.vocabSize;
const h = heldout.tokens;
// Scored positions: 1, 1 + stride, 1 + 2·stride, … (position 0 is the opening boundary token).
const positions = [];
for (let i = 1; i < h.length; i += stride) positions.push(i);
console.log(
  `held-out split: ${heldout.files} files, ${heldout.paragraphs} paragraphs, ${h.length - 1} predicted tokens, ${positions.length} scored through scoreBatch (stride ${stride}); training split: ${train.tokens.length} tokens`,
);

const models = [
  ["unigram (order 1)", () => trainModel(train.tokens, { order: 1, vocabSize: V, eosId: eos })],
  ["bigram (order 2)", () => trainModel(train.tokens, { order: 2, vocabSize: V, eosId: eos })],
  ["trigram (order 3, unpruned)", () => trainModel(train.tokens, { order: 3, vocabSize: V, eosId: eos })],
  ["**trigram, min-count 2 (shipped, `loadModel()`)**", () => loadModel()],
  ["4-gram (order 4, unpruned)", () => trainModel(train.tokens, { order: 4, vocabSize: V, eosId: eos })],
];

const batch = new Float32Array(B * V);
const targets = new Int32Array(B);
const results = [];
for (const [name, make] of models) {
  const t0 = performance.now();
  const model = make();
  const context = (pos) => h.subarray(Math.max(0, pos - model.order + 1), pos);
  let nll = 0;
  let top1 = 0;
  let maxDiff = 0;
  for (let k = 0; k < positions.length; k += B) {
    const rows = Math.min(B, positions.length - k);
    for (let r = 0; r < rows; r++) {
      const pos = positions[k + r];
      model.nextInto(context(pos), batch, r * V);
      targets[r] = h[pos];
    }
    const scored = scoreBatch(batch, rows, V, targets, { firstRow: k });
    for (let r = 0; r < rows; r++) {
      const pos = positions[k + r];
      nll -= scored.logprobs[r];
      if (scored.ranks[r] === 1) top1++;
      maxDiff = Math.max(maxDiff, Math.abs(model.logProb(context(pos), h[pos]) - scored.logprobs[r]));
    }
  }
  if (!(maxDiff < 1e-4)) throw new Error(`${name}: scoreBatch and logProb disagree by ${maxDiff}`);
  let allNll = 0;
  for (let pos = 1; pos < h.length; pos++) allNll -= model.logProb(context(pos), h[pos]);
  const r = {
    name,
    nll: nll / positions.length,
    top1: top1 / positions.length,
    allPpl: Math.exp(allNll / (h.length - 1)),
    maxDiff,
    seconds: (performance.now() - t0) / 1000,
  };
  results.push(r);
  console.log(
    `${name}: scoreBatch perplexity ${Math.exp(r.nll).toFixed(2)} (mean NLL ${r.nll.toFixed(4)} nats, top-1 ${(100 * r.top1).toFixed(2)}%), all-token logProb perplexity ${r.allPpl.toFixed(2)}, max |scoreBatch − logProb| ${maxDiff.toExponential(1)}, ${r.seconds.toFixed(0)} s`,
  );
}
console.log(
  `\n| model | perplexity (scoreBatch, ${positions.length} tokens) | mean NLL, nats/token | top-1 (rank 1) | perplexity (logProb, all ${h.length - 1} tokens) |\n|---|---:|---:|---:|---:|`,
);
for (const r of results) {
  console.log(
    `| ${r.name} | ${Math.exp(r.nll).toFixed(2)} | ${r.nll.toFixed(4)} | ${(100 * r.top1).toFixed(2)}% | ${r.allPpl.toFixed(2)} |`,
  );
}
