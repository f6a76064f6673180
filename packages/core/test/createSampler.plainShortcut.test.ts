import { afterAll, describe, expect, it } from "vitest";
import { createSampler } from "../src/createSampler.js";
import { setKernelBackend } from "../src/kernels/dispatch.js";
import type { SamplerParams } from "../src/samplerParams.js";
import type { SamplerStage } from "../src/samplerStage.js";

// Deterministic pseudo-random rows (xorshift), some with masked tokens and ties.
function rows(count: number, v: number, seed: number): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const out: Float32Array[] = [];
  for (let r = 0; r < count; r++) {
    const row = new Float32Array(v);
    for (let i = 0; i < v; i++) row[i] = Math.round((rnd() * 8 - 4) * 16) / 16; // many ties
    if (r % 3 === 1) for (let i = 0; i < v; i += 7) row[i] = Number.NEGATIVE_INFINITY;
    out.push(row);
  }
  return out;
}

type Draw = { token: number; logprob: number; rank: number; top: string };

const noop: SamplerStage = { name: "noop", apply() {}, clone: () => noop };

/** Runs a sampler over the rows; `full` puts a custom no-op stage first (disables the fast paths). */
function run(params: SamplerParams, data: Float32Array[], full: boolean): Draw[] {
  const first = createSampler(params).stages[0]!.name;
  const stages = full ? [{ before: first, stage: noop }] : [];
  const s = createSampler(params, { stream: 3, stages });
  return data.map((row) => {
    const r = s.sample(row, { logprobs: 3 });
    return { token: r.token, logprob: r.logprob, rank: r.rank, top: JSON.stringify(r.topLogprobs) };
  });
}

describe("greedy and plain dist shortcuts", () => {
  afterAll(() => setKernelBackend("auto"));
  const data = rows(60, 1000, 12345);
  const greedyChains: SamplerParams[] = [
    { temperature: 0, seed: 1 },
    { samplers: ["greedy"], seed: 1 },
    { temperature: 0, topK: 0, topP: 1, minP: 0, seed: 1 },
  ];
  const distChains: SamplerParams[] = [
    { seed: 5 },
    { temperature: 1, seed: 9 },
    { samplers: ["top_k", "dist"], topK: 0, seed: 2 },
  ];

  it("greedy: shortcut and full chain agree on token, logprob, rank and top logprobs", () => {
    for (const p of greedyChains) expect(run(p, data, false)).toEqual(run(p, data, true));
  });

  it("greedy picks the lowest id among tied maxima", () => {
    const s = createSampler({ temperature: 0 });
    expect(s.sample(new Float32Array([1, 3, Number.NEGATIVE_INFINITY, 3, 2])).token).toBe(1);
  });

  it("dist: shortcut and full chain agree on random rows", () => {
    for (const p of distChains) expect(run(p, data, false)).toEqual(run(p, data, true));
  });

  it("dist at T ≠ 1: the same tokens as the full chain on random rows (float32 CDF edge aside)", () => {
    const p: SamplerParams = { temperature: 0.7, seed: 4 };
    const a = run(p, data, false);
    const b = run(p, data, true);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i]!.token === b[i]!.token) same++;
    expect(same).toBeGreaterThanOrEqual(a.length - 1);
  });

  it("SIMD and JS fallback give identical results", () => {
    for (const p of [...greedyChains, ...distChains, { temperature: 0.7, seed: 4 }]) {
      setKernelBackend("wasm-simd");
      const simd = run(p, data, false);
      setKernelBackend("js");
      const js = run(p, data, false);
      setKernelBackend("auto");
      expect(js).toEqual(simd);
    }
  });

  it("never draws a masked token", () => {
    const s = createSampler({ seed: 11 });
    const row = new Float32Array(64).fill(Number.NEGATIVE_INFINITY);
    row[5] = 0;
    row[40] = 0;
    for (let i = 0; i < 50; i++) expect([5, 40]).toContain(s.sample(row).token);
  });
});
