import { describe, expect, it } from "vitest";
import { TOKEN_ATTR, tokenPieceBytes } from "../src/index.js";

const bytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));

describe("tokenPieceBytes", () => {
  it.each([
    ["SentencePiece piece, ▁ is a space", "▁wörld", TOKEN_ATTR.normal, "spm", bytes(" wörld")],
    ["SentencePiece byte fallback", "<0xE6>", TOKEN_ATTR.byte, "spm", [0xe6]],
    ["SentencePiece control token", "</s>", TOKEN_ATTR.control, "spm", []],
    ["unknown token", "<unk>", TOKEN_ATTR.unknown, "spm", []],
    ["unigram (ugm) like SentencePiece", "▁▁a", TOKEN_ATTR.normal, "ugm", bytes("  a")],
    // GPT-2 byte-level: Ġ (U+0120) is byte 0x20, Ċ (U+010A) is 0x0A, "Ã¶" is the two bytes of "ö".
    ["byte-level BPE space", "Ġhello", TOKEN_ATTR.normal, "bpe", bytes(" hello")],
    ["byte-level BPE newline", "ĊĊ", TOKEN_ATTR.normal, "bpe", [0x0a, 0x0a]],
    ["byte-level BPE two-byte char", "Ã¶", TOKEN_ATTR.normal, "bpe", [0xc3, 0xb6]],
    ["byte-level BPE partial char", "æ", TOKEN_ATTR.normal, "bpe", [0xe6]],
    ["user-defined token is its own text", "<|tool|>", TOKEN_ATTR.userDefined, "bpe", bytes("<|tool|>")],
  ])("%s", (_name, piece, attr, type, expected) => {
    expect(Array.from(tokenPieceBytes(piece, attr, type))).toEqual(expected);
  });
});
