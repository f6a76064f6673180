// Grammar-constrained sampling cost at V = 100,277 (the embedded model's cl100k vocabulary) and at
// V = 128,256 (cl100k plus 27,979 tokens made of two cl100k tokens each, a Llama-3-sized vocabulary),
// for a JSON Schema with nested objects and arrays. Reported, each as wall and CPU time (the machine
// may be shared: CPU ≪ wall means waiting, not work):
//   trie       building the vocabulary trie (once per tokenizer, shared by every grammar)
//   compile    schema → automaton, plus every token mask the grammar can need (precompute: all states)
//   lazy       schema → automaton only; masks are then built on first visit during generation
//   mask/tok   computing the mask per generated token: cold (lazy, first generations) and warm (cached)
//   step/tok   a whole sampling step (grammar stage + the default chain) beside the same chain unconstrained
// Run: `pnpm --filter @logitstream/grammar bench` (node --expose-gc bench/mask.bench.mjs).
import { createSampler } from "@logitstream/core";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { compileGrammar, grammarStage, TokenTrie } from "../dist/index.js";
import { SCHEMA } from "./benchSchema.mjs";

const GENERATIONS = Number(process.env.GENERATIONS ?? 20);

function timed(f) {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const d = process.cpuUsage(c);
  return { r, wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
}
const fmt = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

/** cl100k plus pairs of cl100k tokens up to V (deterministic). */
function widened(base, V) {
  const extra = [];
  const parts = [];
  let x = 12345;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const seen = new Set();
  while (base.vocabSize + extra.length < V) {
    const ia = next() % 100256;
    const ib = next() % 100256;
    const a = base.tokenBytes(ia);
    const b = base.tokenBytes(ib);
    const t = new Uint8Array(a.length + b.length);
    t.set(a);
    t.set(b, a.length);
    const key = Buffer.from(t).toString("latin1");
    if (seen.has(key) || t.length === 0) continue;
    seen.add(key);
    extra.push(t);
    parts.push([ia, ib]);
  }
  return {
    vocabSize: V,
    tokenBytes: (id) => (id < base.vocabSize ? base.tokenBytes(id) : extra[id - base.vocabSize]),
    encode: (s) => base.encode(s),
    /** The n-gram model's ids for token `id` (an extra token is its two cl100k parts). */
    modelIds: (id) => (id < base.vocabSize ? [id] : parts[id - base.vocabSize]),
  };
}

const cl100k = new BpeTokenizer();
const model = loadModel();
const EOS = cl100k.endOfTextId;
const SPECIAL = [100258, 100259, 100260, 100264, 100265, 100266, 100276];

console.log(
  `grammar bench — nested JSON Schema, ${GENERATIONS} generations per row, Node ${process.version}`,
);
console.log(
  "V        | trie ms (cpu) | compile + all masks ms (cpu) | states | lazy compile ms | mask µs/tok, lazy, wall (cpu) | mask µs/tok cached | step µs/tok unconstrained | step µs/tok constrained | tokens",
);
for (const tokenizer of [cl100k, widened(cl100k, 128256)]) {
  const V = tokenizer.vocabSize;
  const trie = timed(() => new TokenTrie(tokenizer, new Set([EOS, ...SPECIAL])));
  // Full compile in this process: the trie is then cached, so compile time is the grammar's own.
  const full = timed(() =>
    compileGrammar({ jsonSchema: SCHEMA }, tokenizer, { eosId: EOS, exclude: SPECIAL, precompute: 1e6 }),
  );
  const lazy = timed(() =>
    compileGrammar({ jsonSchema: SCHEMA }, tokenizer, { eosId: EOS, exclude: SPECIAL }),
  );
  // Logits: the n-gram model's rows (V = 100,277), padded with −8 for the widened vocabulary.
  const row = new Float32Array(V).fill(-8);
  const logits = (context) => {
    row.set(model.next(context));
    return row;
  };
  // Generation with the lazy grammar: time grammar.mask per token (cold: first visit builds it).
  let maskFirst = 0; // mask time during the first generation (cold cache)
  let tokensFirst = 0;
  let maskAll = 0; // over all generations (first visits amortized)
  let maskFirstCpu = 0; // the same two with the CPU time of each mask built (cached ones: wall time)
  let maskAllCpu = 0;
  let maskWarm = 0; // steps whose mask was already cached
  let warmSteps = 0;
  let constrained = 0;
  let unconstrained = 0;
  let tokens = 0;
  for (let g = 0; g < GENERATIONS; g++) {
    const stage = grammarStage(lazy.r);
    const sampler = createSampler({ seed: g, temperature: 1 }, { stages: [{ stage, before: "logit_bias" }] });
    if (!sampler.stages.includes(stage)) sampler.stages.unshift(stage); // a core without custom stages
    const plain = createSampler({ seed: g, temperature: 1 });
    const context = cl100k.encode("The order:");
    for (let step = 0; step < 400; step++) {
      const l = logits(context);
      const cached = lazy.r.hasMask(stage.state);
      const c0 = cached ? undefined : process.cpuUsage();
      const t0 = performance.now();
      lazy.r.mask(stage.state); // what apply does first; apply below then finds it cached
      const t1 = performance.now();
      if (c0 !== undefined) {
        // A mask built now: its CPU time too (a cached one is far below cpuUsage's resolution).
        const d = process.cpuUsage(c0);
        const cpu = (d.user + d.system) / 1000;
        maskAllCpu += cpu;
        if (g === 0) maskFirstCpu += cpu;
      } else {
        maskAllCpu += t1 - t0;
        if (g === 0) maskFirstCpu += t1 - t0;
      }
      const r = sampler.sample(l);
      const t2 = performance.now();
      plain.sample(l);
      const t3 = performance.now();
      maskAll += t1 - t0;
      if (g === 0) {
        maskFirst += t1 - t0;
        tokensFirst++;
      }
      if (cached) {
        maskWarm += t1 - t0;
        warmSteps++;
      }
      constrained += t2 - t1;
      unconstrained += t3 - t2;
      tokens++;
      if (r.token === EOS) break;
      context.push(...(tokenizer.modelIds?.(r.token) ?? [r.token]));
    }
  }
  const us = (ms, n) => fmt((ms / n) * 1000);
  console.log(
    `${String(V).padEnd(8)} | ${fmt(trie.wall)} (${fmt(trie.cpu)}) | ${fmt(full.wall)} (${fmt(full.cpu)}) | ${full.r.automaton.stateCount} | ${fmt(lazy.wall)} | ${us(maskFirst, tokensFirst)} (${us(maskFirstCpu, tokensFirst)}) first gen, ${us(maskAll, tokens)} (${us(maskAllCpu, tokens)}) all | ${us(maskWarm, warmSteps)} | ${us(unconstrained, tokens)} | ${us(constrained, tokens)} (mask + apply + chain) | ${tokens}`,
  );
}
