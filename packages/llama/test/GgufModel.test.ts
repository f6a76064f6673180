import { AbortedError as CoreAbortedError, createSampler } from "@logitstream/core";
import type { LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortedError,
  ContextOverflowError,
  type GgufModel,
  loadGgufModel,
  ModelDisposedError,
  TokenIdError,
} from "../src/index.js";
import { MODEL_PATH, maxAbsDiff, referenceGreedy, referenceLogits, referenceModel, V } from "./model.js";

let model: GgufModel;
let ref: LlamaModel;

beforeAll(async () => {
  model = await loadGgufModel(MODEL_PATH, { threads: 1, contextSize: 256 });
  ref = await referenceModel();
});

afterAll(async () => {
  await model.dispose();
  await ref.dispose();
});

const TEXT = "The quick brown fox jumps over the lazy dog, and then it rests.";

/** A fresh evaluation of `tokens` (cache dropped first), copied out of the reused row. */
async function fresh(tokens: number[]): Promise<Float32Array> {
  await model.next([tokens[0] === 0 ? 1 : 0]); // a context sharing nothing with `tokens`
  return Float32Array.from(await model.next(tokens));
}

describe("GgufModel as a LogitSource", () => {
  it("reports the vocabulary, EOS and BOS of the GGUF metadata", () => {
    expect(model.vocabSize).toBe(V);
    expect(model.eosId).toBe(2);
    expect(model.bosId).toBe(1);
    expect(model.contextSize).toBe(256);
  });

  it("returns exactly node-llama-cpp's own logits for the same context", async () => {
    const tokens = model.encode(TEXT);
    const ours = await fresh(tokens);
    const theirs = await referenceLogits(ref, tokens);
    expect(theirs.some(Number.isNaN)).toBe(false);
    expect(Array.from(ours)).toEqual(Array.from(theirs));
  });

  it("extends the cached sequence one token at a time with the same logits as a fresh evaluation", async () => {
    const tokens = model.encode(TEXT);
    const base = tokens.slice(0, 5);
    await fresh(base);
    for (let n = 6; n <= 12; n++) {
      const step = Float32Array.from(await model.next(tokens.slice(0, n)));
      const theirs = await referenceLogits(ref, tokens.slice(0, n));
      // Incremental and whole-batch evaluation may round differently in the last bits.
      expect(maxAbsDiff(step, theirs)).toBeLessThan(1e-4);
    }
  });

  it("handles a context that is not an extension of the cached one (diverging, or shorter)", async () => {
    const a = model.encode("one two three four five six");
    const b = [...a.slice(0, 4), ...model.encode("seven eight").slice(1)];
    await fresh(a);
    const diverged = Float32Array.from(await model.next(b));
    expect(maxAbsDiff(diverged, await referenceLogits(ref, b))).toBeLessThan(1e-4);
    const shorter = Float32Array.from(await model.next(b.slice(0, 3)));
    expect(maxAbsDiff(shorter, await referenceLogits(ref, b.slice(0, 3)))).toBeLessThan(1e-4);
    const same = Float32Array.from(await model.next(b.slice(0, 3)));
    expect(Array.from(same)).toEqual(Array.from(shorter));
  });

  it("evaluate gives the logits of every position, each equal to node-llama-cpp's for that prefix", async () => {
    const tokens = model.encode("Hello wörld, 日本");
    const all = await model.evaluate(tokens);
    expect(all.length).toBe(tokens.length * V);
    for (const i of [0, 3, tokens.length - 1]) {
      const theirs = await referenceLogits(ref, tokens.slice(0, i + 1));
      expect(maxAbsDiff(theirs, all, i * V)).toBeLessThan(1e-4);
    }
  });

  it("evaluateBatches yields bounded batches of consecutive rows", async () => {
    const tokens = model.encode(TEXT);
    const firsts: number[] = [];
    let rows = 0;
    for await (const b of model.evaluateBatches(tokens, { maxRows: 4 })) {
      expect(b.rows).toBeLessThanOrEqual(4);
      expect(b.data.length).toBe(b.rows * V);
      firsts.push(b.firstRow);
      rows += b.rows;
    }
    expect(rows).toBe(tokens.length);
    expect(firsts).toEqual(Array.from({ length: Math.ceil(tokens.length / 4) }, (_, i) => i * 4));
  });

  it("greedy generation with core's sampler equals node-llama-cpp's own greedy continuation", async () => {
    const prompt = model.encode("Once upon a time");
    const sampler = createSampler({ temperature: 0 });
    const ours: number[] = [];
    const context = [...prompt];
    for (let i = 0; i < 16; i++) {
      const t = sampler.sample(await model.next(context)).token;
      ours.push(t);
      context.push(t);
    }
    expect(ours).toEqual(await referenceGreedy(ref, prompt, 16));
  });
});

describe("GgufModel's errors", () => {
  it("rejects an empty context and out-of-range ids with TokenIdError", async () => {
    await expect(model.next([])).rejects.toBeInstanceOf(TokenIdError);
    const err = await model.next([1, V]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenIdError);
    expect((err as TokenIdError).position).toBe(1);
    await expect(model.next([1, -1])).rejects.toBeInstanceOf(TokenIdError);
    await expect(model.next([1, 2.5])).rejects.toBeInstanceOf(TokenIdError);
  });

  it("rejects a context longer than the window with ContextOverflowError", async () => {
    const err = await model.next(new Array(257).fill(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect((err as ContextOverflowError).contextSize).toBe(256);
  });

  it("stops on an aborted signal with AbortedError and stays usable", async () => {
    const tokens = model.encode(TEXT);
    const c = new AbortController();
    c.abort(new Error("stop"));
    const err = await model.next(tokens, c.signal).catch((e: unknown) => e);
    expect(AbortedError).toBe(CoreAbortedError); // one class for every package
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).cause).toEqual(new Error("stop"));
    const after = Float32Array.from(await model.next(tokens));
    expect(maxAbsDiff(after, await referenceLogits(ref, tokens))).toBeLessThan(1e-4);
  });

  it("rejects every call after dispose with ModelDisposedError", async () => {
    const m = await loadGgufModel(MODEL_PATH, { threads: 1, contextSize: 64 });
    await m.dispose();
    await m.dispose();
    expect(m.disposed).toBe(true);
    await expect(m.next([1])).rejects.toBeInstanceOf(ModelDisposedError);
    expect(() => m.encode("x")).toThrow(ModelDisposedError);
  });
});
