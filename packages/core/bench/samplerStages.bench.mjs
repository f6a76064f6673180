// What each second-round sampler stage costs: ns per element at V = 128,256 of the default chain
// (temperature 0.8 → top-k 40 → top-p 0.95 → min-p 0.05 → dist) with the stage turned on, beside the
// same chain without it, in one process (interleaved rounds, CPU time, medians).
//
// Cases: the chain as the default order builds it with every new stage off (their names are in the
// order but they are identity stages), the same chain with only the first-round stage names (to show
// what the inactive stages cost), then one case per stage with that stage on. History-based stages
// (DRY, no-repeat-n-gram, banned sequences) are fed a 256-token prompt first; each sample() then adds
// its token, as in generation.
//
// Run: pnpm --filter @logitstream/core build && node bench/samplerStages.bench.mjs [--runs 7]  (from packages/core)
import {
  consume,
  interleave,
  loadAverage,
  makeLogits,
  median,
  runsFromArgs,
  tableHeader,
  tableRow,
  warmUp,
} from "../../../scripts/benchHarness.mjs";
import { createSampler } from "../dist/index.js";

const RUNS = runsFromArgs(7);
const V = 128_256;
const ROUND_MS = 40;
const BASE = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 1 };
const FIRST_ROUND = [
  "logit_bias",
  "penalties",
  "temperature",
  "top_k",
  "top_p",
  "min_p",
  "typical_p",
  "top_n_sigma",
  "dist",
];

// 1000 banned two-token sequences and a prompt that walks through some of their prefixes.
const bans = Array.from({ length: 1000 }, (_, i) => [1000 + i, 5000 + i]);
const prompt = Array.from({ length: 256 }, (_, i) => (i * 7919) % 3000);

const variants = [
  ["default chain (new stages off)", {}, {}],
  ["first-round stage names only", { samplers: FIRST_ROUND }, {}],
  ["+ xtc (probability 1, threshold 0.1)", { xtcProbability: 1, xtcThreshold: 0.1 }, {}],
  ["+ epsilon 3e-4", { epsilonCutoff: 3e-4 }, {}],
  ["+ eta 3e-4", { etaCutoff: 3e-4 }, {}],
  ["+ mirostat 2 (replaces dist)", { mirostat: 2 }, {}],
  ["+ mirostat 1 (replaces dist)", { mirostat: 1 }, {}],
  ["+ dynatemp range 0.5", { dynatempRange: 0.5 }, {}],
  ["+ dry 0.8 (last 256)", { dryMultiplier: 0.8, dryPenaltyLastN: 256, drySequenceBreakers: [] }, { prompt }],
  ["+ no-repeat-ngram 3", { noRepeatNgramSize: 3 }, { prompt }],
  ["+ 1000 banned sequences", { bannedSequences: bans }, { prompt }],
  ["+ min-tokens (EOS banned)", { minTokens: 1e9 }, { eosIds: [0] }],
];

const x = makeLogits(V, 12345 + V);
const cases = variants.map(([name, params, extra]) => {
  const opts = extra.eosIds ? { eosIds: extra.eosIds } : {};
  const s = createSampler({ ...BASE, ...params }, opts);
  for (const t of extra.prompt ?? []) s.accept(t);
  const fn = () => {
    const r = s.sample(x);
    return [r.token];
  };
  return { name, fn, iters: warmUp(fn, ROUND_MS) };
});
interleave(cases, RUNS, V);
for (const c of cases) consume(c.cpu);

const base = median(cases[0].cpu);
console.log(
  `\nSampler stages at V = ${V.toLocaleString("en-US")}, one row in cache, median of ${RUNS} interleaved rounds ` +
    `(CPU ns/element); Node ${process.version}; load average ${loadAverage(1)}\n`,
);
tableHeader(["case", "ns/el", "added vs default chain"], "lrr");
for (const c of cases) {
  const m = median(c.cpu);
  console.log(
    tableRow([
      c.name,
      m.toFixed(2),
      c === cases[0] ? "—" : (m - base >= 0 ? "+" : "") + (m - base).toFixed(2),
    ]),
  );
}
