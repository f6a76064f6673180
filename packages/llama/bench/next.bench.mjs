// Adapter overhead per generation step vs llama.cpp's forward pass, at V = 32,000 (the test GGUF).
// Run after a build: `pnpm --filter @logitstream/llama bench` (or `node bench/next.bench.mjs [steps]`).
//
// Three ways to take one step (one new token, then its logits), interleaved step by step so machine
// load hits them alike:
//   forward    decode one token in llama.cpp and let llama.cpp pick the greedy token: the floor any
//              step pays (no logits leave native code)
//   adapter    GgufModel.next(context): decode + the full logit row as a dense Float32Array
//   public     node-llama-cpp's public path: controlledEvaluate(... generateNext.logits) → Map → Float32Array
// Overhead = adapter − forward (medians). Reported beside the forward time.
import { fileURLToPath } from "node:url";
// One bundle for both (dist/internal.js: the package's index and binding.ts), so one copy of each module.
import { addonContext, cpuLlama, createAddonSampler, loadGgufModel } from "../dist/internal.js";

const STEPS = Number(process.argv[2] ?? 60);
const PATH = fileURLToPath(new URL("../test/fixtures/llama-2-tiny-random.gguf", import.meta.url));
const CTX = 512;

const ours = await loadGgufModel(PATH, { threads: 1, contextSize: CTX });
const V = ours.vocabSize;
const llama = await cpuLlama();
const model = await llama.loadModel({ modelPath: PATH, gpuLayers: 0 });
const floorCtx = await model.createContext({ contextSize: CTX, threads: 1, sequences: 1 });
const addon = addonContext(floorCtx);
const sampler = createAddonSampler(llama, model);
const pubCtx = await model.createContext({ contextSize: CTX, threads: 1, sequences: 1 });
const pubSeq = pubCtx.getSequence();

const prompt = ours.encode("The history of the world is");
let context = [...prompt];
let floorPos = 0;
const times = { forward: [], adapter: [], public: [] };
let sink = 0;

async function forwardStep(tokens) {
  addon.initBatch(tokens.length);
  const idx = addon.addToBatch(0, floorPos, Uint32Array.from(tokens), Uint32Array.of(tokens.length - 1));
  await addon.decodeBatch();
  floorPos += tokens.length;
  return addon.sampleToken(idx[0], sampler);
}

async function publicStep(tokens) {
  const input = [...tokens.slice(0, -1), [tokens.at(-1), { generateNext: { logits: true } }]];
  const out = await pubSeq.controlledEvaluate(input);
  const row = new Float32Array(V);
  for (const [id, logit] of out.at(-1).next.logits) row[id] = logit;
  return row;
}

// Prime all three with the prompt (not timed).
await forwardStep(prompt);
await publicStep(prompt);
await ours.next(context);

for (let s = 0; s < STEPS; s++) {
  const row = await ours.next(context);
  let best = 0;
  for (let i = 1; i < V; i++) if (row[i] > row[best]) best = i;
  const t = best;
  let a = performance.now();
  await forwardStep([t]);
  times.forward.push(performance.now() - a);
  context = [...context, t];
  a = performance.now();
  const r = await ours.next(context);
  times.adapter.push(performance.now() - a);
  sink += r[t];
  a = performance.now();
  const p = await publicStep([t]);
  times.public.push(performance.now() - a);
  sink += p[t];
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const f = median(times.forward);
const ad = median(times.adapter);
const pub = median(times.public);
console.log(`@logitstream/llama next(): V = ${V}, ${STEPS} steps, threads 1, test GGUF (1 layer, 8 dims)`);
console.log(`  forward only (decode + llama.cpp greedy pick)  ${f.toFixed(3)} ms/step`);
console.log(
  `  GgufModel.next (dense Float32Array row)        ${ad.toFixed(3)} ms/step  → adapter overhead ${(ad - f).toFixed(3)} ms`,
);
console.log(
  `  node-llama-cpp controlledEvaluate → Map → row  ${pub.toFixed(3)} ms/step  → overhead ${(pub - f).toFixed(3)} ms`,
);
console.log(
  `  overhead ratio public / ours: ${((pub - f) / (ad - f)).toFixed(2)}×   (sink ${sink.toFixed(1)})`,
);

sampler.dispose();
await pubCtx.dispose();
await floorCtx.dispose();
await model.dispose();
await ours.dispose();
