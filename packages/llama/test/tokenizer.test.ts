import type { LlamaModel, Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GgufModel, loadGgufModel } from "../src/index.js";
import { MODEL_PATH, referenceModel, V } from "./model.js";

let model: GgufModel;
let ref: LlamaModel;

beforeAll(async () => {
  model = await loadGgufModel(MODEL_PATH, { threads: 1, contextSize: 64 });
  ref = await referenceModel();
});

afterAll(async () => {
  await model.dispose();
  await ref.dispose();
});

const utf8 = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const concatBytes = (ids: number[]): number[] => ids.flatMap((id) => Array.from(model.tokenBytes(id)));

describe("GgufModel as a Tokenizer", () => {
  it("encodes with BOS first and decodes byte-exactly (SentencePiece adds one leading space)", () => {
    for (const text of [
      "Hello wörld",
      "日本語のテキスト",
      "emoji 🙂🎉 and ∑ ≠ ∞",
      "tabs\tand\nnewlines",
      "a</s>b",
    ]) {
      const ids = model.encode(text);
      expect(ids[0]).toBe(1);
      expect(concatBytes(ids)).toEqual(utf8(` ${text}`));
    }
  });

  it("gives multi-byte characters split across byte tokens one raw byte per token", () => {
    // U+1F642 is not in the Llama-2 vocabulary: SentencePiece falls back to its four UTF-8 bytes.
    // The dummy-prefix space "▁" is a token of its own here, then one token per byte.
    const ids = model.encode("🙂").slice(1);
    const bytes = ids.map((id) => Array.from(model.tokenBytes(id)));
    expect(bytes).toEqual([[0x20], [0xf0], [0x9f], [0x99], [0x82]]);
    // Each byte alone is not valid UTF-8: a string-based detokenizer cannot represent it.
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(model.tokenBytes(ids.at(-1)!))).toThrow();
  });

  it("agrees with llama.cpp's detokenizer for every token whose bytes are valid UTF-8 on their own", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // U+FEFF is a token of its own
    const anchor = model.encode("x").at(-1)!; // detokenize strips the leading space of a text's first token only
    const prefix = ref.detokenize([anchor as Token]);
    let compared = 0;
    for (let id = 0; id < V; id++) {
      let text: string;
      try {
        text = strict.decode(model.tokenBytes(id));
      } catch {
        continue;
      }
      const theirs = ref.detokenize([anchor, id] as Token[]);
      if (theirs !== prefix + text) expect({ id, ours: prefix + text }).toEqual({ id, ours: theirs });
      compared++;
    }
    expect(compared).toBeGreaterThan(31000);
  });

  it("renders control and unknown tokens (BOS, EOS, <unk>) as no bytes and rejects ids outside the vocabulary", () => {
    expect(model.tokenBytes(0).length).toBe(0);
    expect(model.tokenBytes(1).length).toBe(0);
    expect(model.tokenBytes(2).length).toBe(0);
    expect(() => model.tokenBytes(V)).toThrow(/\[0, 32000\)/);
    expect(() => model.tokenBytes(-1)).toThrow();
  });
});
