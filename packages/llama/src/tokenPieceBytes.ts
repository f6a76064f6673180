/**
 * The exact bytes a vocabulary entry stands for, from its stored piece — what llama.cpp's
 * `token_to_piece` writes for a token in the middle of a text (no special tokens rendered, no
 * leading space stripped).
 *
 * Method (llama.cpp `llama_vocab::token_to_piece`): control and unknown tokens (BOS, EOS, <unk>) render as nothing;
 * byte-fallback tokens `<0xNN>` of SentencePiece vocabularies are the single byte NN; ordinary pieces
 * are unescaped by vocabulary family — SentencePiece (`spm`, `ugm`) writes a space as U+2581 "▁",
 * byte-level BPE (`bpe`, GPT-2's scheme) writes each byte as one printable code point; anything
 * else (user-defined tokens, other families) is the piece's own UTF-8.
 *
 * @param piece the vocabulary entry as stored in the GGUF file
 * @param attributes llama.cpp's `llama_token_attr` bit set for the token
 * @param vocabularyType node-llama-cpp's vocabulary family name ("spm", "bpe", "ugm", "wpm", …)
 * @example
 * tokenPieceBytes("▁wörld", TOKEN_ATTR.normal, "spm"); // bytes of " wörld"
 * tokenPieceBytes("<0xE6>", TOKEN_ATTR.byte, "spm");   // Uint8Array [0xe6]
 */
export function tokenPieceBytes(piece: string, attributes: number, vocabularyType: string): Uint8Array {
  if ((attributes & (TOKEN_ATTR.control | TOKEN_ATTR.unknown)) !== 0) return new Uint8Array(0);
  if ((attributes & TOKEN_ATTR.byte) !== 0) {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (m !== null) return Uint8Array.of(Number.parseInt(m[1]!, 16));
  }
  if ((attributes & TOKEN_ATTR.normal) !== 0) {
    if (vocabularyType === "spm" || vocabularyType === "ugm")
      return utf8.encode(piece.replaceAll("\u2581", " "));
    if (vocabularyType === "bpe") return byteLevelDecode(piece);
  }
  return utf8.encode(piece);
}

/** llama.cpp's `llama_token_attr` bits that decide how a piece renders. */
export const TOKEN_ATTR = {
  unknown: 1 << 0,
  normal: 1 << 2,
  control: 1 << 3,
  userDefined: 1 << 4,
  byte: 1 << 5,
} as const;

const utf8 = new TextEncoder();

/**
 * GPT-2's byte-level alphabet reversed: the printable bytes 33–126, 161–172 and 174–255 stand for
 * themselves; the other 68 bytes were moved to code points 256, 257, … in byte order (Radford et
 * al. 2019, `bytes_to_unicode`).
 */
const BYTE_OF_CODE_POINT: ReadonlyMap<number, number> = (() => {
  const map = new Map<number, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(printable ? b : 256 + shifted++, b);
  }
  return map;
})();

/** A byte-level BPE piece → its bytes; a code point outside the alphabet keeps its own UTF-8. */
function byteLevelDecode(piece: string): Uint8Array {
  const out: number[] = [];
  for (const ch of piece) {
    const cp = ch.codePointAt(0)!;
    const b = BYTE_OF_CODE_POINT.get(cp);
    if (b !== undefined) out.push(b);
    else for (const x of utf8.encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}
