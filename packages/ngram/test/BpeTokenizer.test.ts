import { describe, expect, it } from "vitest";
import { BpeTokenizer } from "../src/BpeTokenizer.js";
import { TokenIdError } from "../src/errors.js";

const tok = new BpeTokenizer();

function concatBytes(ids: number[]): Uint8Array {
  const parts = ids.map((id) => tok.tokenBytes(id));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("BpeTokenizer (cl100k_base)", () => {
  it("reproduces the UTF-8 bytes of the text when the bytes of its tokens are concatenated", () => {
    const texts = [
      "",
      "The Fulton County Grand Jury said Friday.",
      "emoji 🎉🚀 and a family 👩‍👩‍👧 with zero-width joiners",
      "漢字とかなカナ、中文，한국어",
      "accents: héllo, naïve, e\u0301 (combining), Ελληνικά, العربية",
      "tabs\tnewlines\n\n  spaces   and <|endoftext|> as plain text",
      "1234567890 $%^&*() \u0000 \uFFFD",
    ];
    for (const text of texts) {
      expect(Array.from(concatBytes(tok.encode(text)))).toEqual(Array.from(new TextEncoder().encode(text)));
    }
  });

  it("returns the exact raw bytes of tokens that are partial UTF-8 sequences", () => {
    // 🎉 is F0 9F 8E 89 in UTF-8; cl100k splits " 🎉" into three tokens, none of them a whole character.
    const ids = tok.encode(" 🎉");
    expect(ids.length).toBe(3);
    expect(ids.map((id) => Array.from(tok.tokenBytes(id)))).toEqual([[0x20, 0xf0, 0x9f], [0x8e], [0x89]]);
  });

  it("encodes known words to their cl100k ids", () => {
    expect(tok.encode("The jury said")).toEqual([791, 21928, 1071]);
    expect(Array.from(tok.tokenBytes(0))).toEqual([0x21]); // "!"
  });

  it("gives special tokens their literal text, unused ids no bytes, and V = 100277", () => {
    expect(tok.vocabSize).toBe(100277);
    expect(new TextDecoder().decode(tok.tokenBytes(tok.endOfTextId))).toBe("<|endoftext|>");
    expect(new TextDecoder().decode(tok.tokenBytes(100276))).toBe("<|endofprompt|>");
    expect(tok.tokenBytes(100256).length).toBe(0);
    expect(tok.tokenBytes(100270).length).toBe(0);
    expect(tok.encode("<|endoftext|>")).not.toContain(tok.endOfTextId);
  });

  it("throws a TokenIdError for an id outside [0, V)", () => {
    expect(() => tok.tokenBytes(100277)).toThrow(TokenIdError);
    expect(() => tok.tokenBytes(-1)).toThrow(TokenIdError);
  });
});
