import { afterAll, describe, expect, it } from "vitest";
import {
  createSampler,
  logSoftmax,
  logSumExp,
  sampleBatch,
  scoreBatch,
  softmax,
  topLogprobs,
} from "../src/index.js";
import { setKernelBackend } from "../src/kernels/dispatch.js";

// The public functions run on the kernels; these tests pin what that must not change: the sampler's
// SIMD top-k shortcut gives the same draws as the full candidate path, every public result is the
// same on the SIMD and JavaScript backends, and a masked token changes no other output bit.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function rows(seed: number, count: number, vocab: number, masked = 0): Float32Array {
  const r = rng(seed);
  const data = new Float32Array(count * vocab);
  for (let i = 0; i < data.length; i++) {
    data[i] = r() < masked ? Number.NEGATIVE_INFINITY : (r() + r() + r() + r() - 2) * 4;
  }
  return data;
}

describe("public functions on the kernels", () => {
  afterAll(() => setKernelBackend("auto"));

  it("draws the same tokens, logprobs, ranks and top logprobs with the SIMD top-k shortcut as with the full candidate path", () => {
    const vocab = 3000;
    const data = rows(1, 40, vocab);
    const params = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 11 };
    // A logit bias of +0 on one token adds nothing but makes the logit_bias stage active, which turns
    // the shortcut off: the full path loads all V candidates and runs every stage on them.
    const full = { ...params, logitBias: { "0": 0 } };
    const a = sampleBatch(data, 40, vocab, params, { logprobs: 5, processed: true });
    const b = sampleBatch(data, 40, vocab, full, { logprobs: 5, processed: true });
    expect(Array.from(a.tokens)).toEqual(Array.from(b.tokens));
    expect(Array.from(a.logprobs)).toEqual(Array.from(b.logprobs));
    expect(Array.from(a.ranks)).toEqual(Array.from(b.ranks));
    expect(Array.from(a.topTokens!)).toEqual(Array.from(b.topTokens!));
    expect(Array.from(a.topLogprobs!)).toEqual(Array.from(b.topLogprobs!));
    expect(Array.from(a.processedLogprobs!)).toEqual(Array.from(b.processedLogprobs!));
    // more top logprobs than the shortcut's k: a pass over the row, still the same
    const c = sampleBatch(data, 40, vocab, { ...params, topK: 3 }, { logprobs: 5 });
    const d = sampleBatch(data, 40, vocab, { ...full, topK: 3 }, { logprobs: 5 });
    expect(Array.from(c.topTokens!)).toEqual(Array.from(d.topTokens!));
    expect(Array.from(c.topLogprobs!)).toEqual(Array.from(d.topLogprobs!));
    const s1 = createSampler(params, { stream: 3 });
    const s2 = createSampler(full, { stream: 3 });
    for (let r = 0; r < 40; r++) {
      const row = data.subarray(r * vocab, (r + 1) * vocab);
      expect(s1.sample(row, { logprobs: 3 })).toEqual(s2.sample(row, { logprobs: 3 }));
    }
  });

  it("draws the same tokens and logprobs with the SIMD top-p nucleus (no top-k) as with the full candidate path", () => {
    const vocab = 5000;
    const data = rows(2, 40, vocab, 0.02);
    for (const params of [
      { topP: 0.9, seed: 3 },
      { temperature: 0.7, topP: 0.95, minP: 0.02, seed: 4 },
      { temperature: 1.3, topP: 0.5, seed: 5 },
      { temperature: 0.8, topP: 0.2, typicalP: 0.9, seed: 6 },
    ]) {
      const full = { ...params, logitBias: { "0": 0 } }; // an active stage before top_p: no shortcut
      const a = sampleBatch(data, 40, vocab, params, { logprobs: 3, processed: true });
      const b = sampleBatch(data, 40, vocab, full, { logprobs: 3, processed: true });
      expect(Array.from(a.tokens)).toEqual(Array.from(b.tokens));
      expect(Array.from(a.logprobs)).toEqual(Array.from(b.logprobs));
      expect(Array.from(a.processedLogprobs!)).toEqual(Array.from(b.processedLogprobs!));
      expect(Array.from(a.topLogprobs!)).toEqual(Array.from(b.topLogprobs!));
      const s1 = createSampler(params, { stream: 9 });
      const s2 = createSampler(full, { stream: 9 });
      for (let r = 0; r < 40; r++) {
        const row = data.subarray(r * vocab, (r + 1) * vocab);
        expect(s1.sample(row, { processed: true })).toEqual(s2.sample(row, { processed: true }));
      }
    }
  });

  it("falls back to the full path when fewer than k tokens are unmasked", () => {
    const row = Float32Array.from([1, Number.NEGATIVE_INFINITY, 2, Number.NEGATIVE_INFINITY, 0.5]);
    const s = createSampler({ topK: 4, seed: 1 });
    const r = s.sample(row, { logprobs: 5 });
    expect([0, 2, 4]).toContain(r.token);
    expect(r.topLogprobs!.map((t) => t.token)).toEqual([2, 0, 4, 1, 3]);
    expect(r.topLogprobs![3]!.logprob).toBe(Number.NEGATIVE_INFINITY);
  });

  it("gives bit-identical public results on the SIMD and the JavaScript backends", () => {
    const vocab = 1500;
    const data = rows(2, 6, vocab, 0.03);
    const targets = Int32Array.from([0, 7, 1499, 300, -1, 42]);
    const run = () => ({
      sm: Array.from(new Uint32Array(softmax(data.subarray(0, vocab), { temperature: 0.7 }).buffer)),
      lsm: Array.from(new Uint32Array(logSoftmax(data.subarray(vocab, 2 * vocab)).buffer)),
      score: scoreBatch(data, 6, vocab, targets, { top: 4 }),
      sample: sampleBatch(
        data,
        6,
        vocab,
        { temperature: 0.9, topK: 50, topP: 0.9, seed: 5 },
        { logprobs: 2 },
      ),
      plain: sampleBatch(data, 6, vocab, { temperature: 1.1, seed: 6 }),
      nucleus: sampleBatch(data, 6, vocab, { temperature: 0.9, topP: 0.9, seed: 7 }, { processed: true }),
    });
    setKernelBackend("wasm-simd");
    const a = run();
    setKernelBackend("js");
    const b = run();
    expect(b).toEqual(a);
  });

  it("gives a masked token exactly 0 and leaves every other probability's bits as if it were absent (V > 1024)", () => {
    const r = rng(3);
    const kept = new Float32Array(3000);
    for (let i = 0; i < kept.length; i++) kept[i] = (r() - 0.5) * 20;
    const withMasks = new Float32Array(4000);
    const where: number[] = [];
    for (let i = 0, k = 0; i < withMasks.length; i++) {
      if ((i % 4 === 1 && k < kept.length) || k >= kept.length) {
        withMasks[i] = Number.NEGATIVE_INFINITY;
        where.push(i);
      } else withMasks[i] = kept[k++]!;
    }
    const p = softmax(withMasks);
    const q = softmax(kept);
    const lp = logSoftmax(withMasks);
    const lq = logSoftmax(kept);
    let k = 0;
    for (let i = 0; i < withMasks.length; i++) {
      if (withMasks[i] === Number.NEGATIVE_INFINITY) {
        expect(p[i]).toBe(0);
        expect(lp[i]).toBe(Number.NEGATIVE_INFINITY);
      } else {
        expect(p[i]).toBe(q[k]);
        expect(lp[i]).toBe(lq[k]);
        k++;
      }
    }
    expect(where.length).toBe(1000);
  });

  it("leaves log-sum-exp, scores, entropy and top logprobs bit-identical when masked tokens are added (V > 1024)", () => {
    const r = rng(8);
    const kept = new Float32Array(3000);
    for (let i = 0; i < kept.length; i++) kept[i] = (r() - 0.5) * 20;
    const withMasks = new Float32Array(4000);
    const pos: number[] = []; // position of kept[k] in withMasks
    for (let i = 0, k = 0; i < withMasks.length; i++) {
      if ((i % 4 === 2 && k < kept.length) || k >= kept.length) withMasks[i] = Number.NEGATIVE_INFINITY;
      else {
        pos.push(i);
        withMasks[i] = kept[k++]!;
      }
    }
    for (const T of [1, 0.7]) {
      expect(logSumExp(withMasks, { temperature: T })).toBe(logSumExp(kept, { temperature: T }));
    }
    const a = scoreBatch(withMasks, 1, 4000, Int32Array.of(pos[1500]!), { top: 5 });
    const b = scoreBatch(kept, 1, 3000, Int32Array.of(1500), { top: 5 });
    expect(a.logprobs[0]).toBe(b.logprobs[0]);
    expect(a.entropies[0]).toBe(b.entropies[0]);
    expect(Array.from(a.topLogprobs!)).toEqual(Array.from(b.topLogprobs!));
    expect(Array.from(a.topTokens!)).toEqual(Array.from(b.topTokens!, (k) => pos[k]!));
    const lps = new Float64Array(3);
    const lps2 = new Float64Array(3);
    topLogprobs({ data: withMasks, n: 3, outIds: new Int32Array(3), outLogprobs: lps });
    topLogprobs({ data: kept, n: 3, outIds: new Int32Array(3), outLogprobs: lps2 });
    expect(Array.from(lps)).toEqual(Array.from(lps2));
    for (const seed of [0, 17, 1500, 2999]) {
      const sa = createSampler({ topK: 40, temperature: 0.8, seed }).sample(withMasks);
      const sb = createSampler({ topK: 40, temperature: 0.8, seed }).sample(kept);
      expect(sa.token).toBe(pos[sb.token]);
      expect(sa.logprob).toBe(sb.logprob);
    }
  });
});
