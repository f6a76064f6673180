import { describe, expect, it } from "vitest";
import {
  createSampler,
  kernelBackend,
  logSoftmax,
  sampleBatch,
  scoreBatch,
  softmax,
  topPNucleus,
} from "../src/index.js";
import { runHere, runJitless } from "./jitlessRun.js";

// The real no-SIMD path: a Node process started with --jitless has no WebAssembly at all, so core
// must pick its JavaScript kernels by itself (not through the test hook) and give the same bits as
// the SIMD kernels here. The child runs the built package (`pnpm test` builds first).

/** The same questions in both processes; results as plain JSON (float32 outputs as their bit patterns). */
const BODY = `
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
const V = 3000;
const data = Float32Array.from({ length: 4 * V }, (_, i) => (i % 97 === 5 ? -Infinity : (rnd() - 0.5) * 12));
const row = data.subarray(0, V);
const bits = (f) => Array.from(new Uint32Array(Float32Array.from(f).buffer));
const ids = new Int32Array(V);
const n = core.topPNucleus(row, 0, V, 0.8, 0.9, ids);
const sampler = core.createSampler({ temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 3 });
const batch = core.sampleBatch(data, 4, V, { topP: 0.9, seed: 5 }, { logprobs: 3 });
const scores = core.scoreBatch(data, 4, V, Int32Array.from([1, 2, 3, 4]), { top: 2 });
console.log(JSON.stringify({
  backend: core.kernelBackend(),
  softmax: bits(core.softmax(row, { temperature: 0.7 })),
  logSoftmax: bits(core.logSoftmax(row)),
  nucleus: Array.from(ids.subarray(0, n)),
  draws: [0, 1, 2, 3, 4].map(() => sampler.sample(row, { logprobs: 2 })),
  batch: [Array.from(batch.tokens), Array.from(batch.logprobs), Array.from(batch.topTokens)],
  scores: [Array.from(scores.logprobs), Array.from(scores.entropies), Array.from(scores.ranks)],
}));
`;

describe("no WebAssembly at all (node --jitless)", () => {
  it("falls back to the JavaScript kernels by itself and gives the SIMD path's results, bit for bit", () => {
    const child = runJitless(BODY, 'const core = await import(process.argv[1] + "/index.js");');
    expect(child.backend).toBe("js");
    const simd = runHere(BODY, {
      core: { createSampler, kernelBackend, logSoftmax, sampleBatch, scoreBatch, softmax, topPNucleus },
    });
    expect(simd.backend).toBe("wasm-simd");
    const { backend: _a, ...fromChild } = child;
    const { backend: _b, ...fromHere } = simd;
    expect(fromChild).toEqual(fromHere);
  }, 120_000);
});
