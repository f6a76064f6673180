// `pnpm demo`: a short tour of @logitstream/core (runs after the build; the CLI issue replaces it).
// Prints the probabilities of a small logit row, then a few seeded samples with their log-probabilities —
// the same seed gives the same tokens on every run, machine and browser.
import { createSampler, sampleBatch, softmax } from "../packages/core/dist/index.js";

const words = ["the", "a", "cat", "dog", "sat", "ran", "<banned>", "."];
const logits = Float32Array.from([2.0, 1.5, 0.3, 0.2, -0.5, -1.0, Number.NEGATIVE_INFINITY, -2.0]);

console.log("logits      ", Array.from(logits, (v) => v.toFixed(2)).join("  "));
const probs = softmax(logits);
console.log("\nsoftmax (T = 1):");
for (let i = 0; i < words.length; i++) {
  console.log(
    `  ${String(i).padStart(2)} ${words[i].padEnd(9)} ${probs[i].toFixed(6)}  ${"#".repeat(Math.round(probs[i] * 60))}`,
  );
}
const cool = softmax(logits, { temperature: 0.5 });
console.log(`\nsoftmax (T = 0.5): p("the") = ${cool[0].toFixed(6)}, p("a") = ${cool[1].toFixed(6)}`);

const params = { temperature: 0.8, topK: 5, topP: 0.95, minP: 0.05, seed: 7 };
console.log(`\nsampling with ${JSON.stringify(params)} (stream 0, steps 0..5):`);
const sampler = createSampler(params);
for (let step = 0; step < 6; step++) {
  const r = sampler.sample(logits, { logprobs: 2, processed: true });
  const top = r.topLogprobs.map((t) => `${words[t.token]} ${t.logprob.toFixed(4)}`).join(", ");
  console.log(
    `  step ${step}: token ${r.token} (${words[r.token]})  logprob ${r.logprob.toFixed(6)}  rank ${r.rank}  ` +
      `processed ${r.processedLogprob.toFixed(6)}  top: ${top}`,
  );
}

const rows = 4;
const batch = new Float32Array(rows * logits.length);
for (let r = 0; r < rows; r++) batch.set(logits, r * logits.length);
const b = sampleBatch(batch, rows, logits.length, { ...params, seed: 42 });
console.log(`\nsampleBatch, ${rows} copies of the row, seed 42 (stream = row index, step 0):`);
console.log(
  `  tokens ${Array.from(b.tokens).join(" ")}  (${Array.from(b.tokens, (t) => words[t]).join(" ")})`,
);
console.log(`  logprobs ${Array.from(b.logprobs, (v) => v.toFixed(6)).join(" ")}`);
