import type { Tokenizer } from "../types.js";

/** Longest breaker considered, in UTF-8 bytes, and longest tail kept, in tokens (llama.cpp's limits). */
const MAX_BREAKER_BYTES = 40;
const MAX_TAIL_TOKENS = 20;

/**
 * Turns DRY sequence breakers given as strings into the token-id sequences {@link dry} matches: every
 * way the string can appear in generated text, whatever token boundaries it falls on.
 *
 * Exact definition (llama.cpp's `get_overlapping_token_sequences`, from koboldcpp): for each token
 * id of the vocabulary, with w its bytes and s the breaker's UTF-8 bytes (cut to at most 40 bytes at a
 * character boundary):
 * - if w contains s, the one-token sequence [id] is a breaker;
 * - otherwise, for every position where a suffix of w is a proper prefix of s, the breaker is [id]
 *   followed by `tokenizer.encode(rest of s)` (cut to 20 tokens). When the rest would start inside a
 *   multi-byte character, it starts at the next whole character (a `Tokenizer` encodes text, not bytes).
 * Duplicates are dropped; empty strings are skipped.
 *
 * @param breakers - The strings, e.g. llama.cpp's defaults `["\n", ":", "\"", "*"]`.
 * @param tokenizer - The model's tokenizer (its whole vocabulary is scanned once: O(V · bytes)).
 * @returns Token-id sequences for {@link DryOptions.sequenceBreakers}.
 *
 * @example
 * ```ts
 * // vocabulary ["a", "\n", "x\n", "b:", ":"] and breakers ["\n", ":"]
 * drySequenceBreakers(["\n", ":"], tok); // [[1], [2], [3], [4]]: each of those tokens contains a breaker
 * ```
 */
export function drySequenceBreakers(breakers: readonly string[], tokenizer: Tokenizer): number[][] {
  const out: number[][] = [];
  const seen = new Set<string>();
  const add = (seq: number[]): void => {
    const key = seq.join(",");
    if (seen.has(key)) return;
    seen.add(key);
    out.push(seq);
  };
  for (const whole of breakers) {
    if (whole.length === 0) continue;
    const text = truncateUtf8(whole, MAX_BREAKER_BYTES);
    const { bytes: s, charStart } = utf8(text);
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      const w = tokenizer.tokenBytes(id);
      if (contains(w, s)) {
        add([id]);
        continue;
      }
      for (let pos = 0; pos < w.length; pos++) {
        if (w[pos] !== s[0]) continue;
        let i = 1;
        let match = true;
        for (; i < s.length && pos + i < w.length; i++) {
          if (w[pos + i] !== s[i]) {
            match = false;
            break;
          }
        }
        if (!match) continue;
        // w[pos…] is s[0, i): the rest of s must follow as the next tokens
        let start = i;
        while (start < s.length && !charStart[start]) start++;
        const rest = text.slice(charIndexAt(text, start));
        const tail = rest.length > 0 ? tokenizer.encode(rest).slice(0, MAX_TAIL_TOKENS) : [];
        add([id, ...tail]);
      }
    }
  }
  return out;
}

function contains(w: Uint8Array, s: Uint8Array): boolean {
  outer: for (let p = 0; p + s.length <= w.length; p++) {
    for (let i = 0; i < s.length; i++) if (w[p + i] !== s[i]) continue outer;
    return true;
  }
  return false;
}

/** UTF-8 bytes of `text` and, per byte, whether a character starts there. */
function utf8(text: string): { bytes: Uint8Array; charStart: boolean[] } {
  const bytes: number[] = [];
  const charStart: boolean[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const enc =
      cp < 0x80
        ? [cp]
        : cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    enc.forEach((b, k) => {
      bytes.push(b);
      charStart.push(k === 0);
    });
  }
  charStart.push(true);
  return { bytes: Uint8Array.from(bytes), charStart };
}

/** The longest prefix of `text` (whole characters) whose UTF-8 form fits in `max` bytes. */
function truncateUtf8(text: string, max: number): string {
  let b = 0;
  let idx = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (b + len > max) break;
    b += len;
    idx += ch.length;
  }
  return text.slice(0, idx);
}

/** The string index of the character starting at UTF-8 byte offset `byte` of `text`. */
function charIndexAt(text: string, byte: number): number {
  let b = 0;
  let idx = 0;
  for (const ch of text) {
    if (b >= byte) return idx;
    const cp = ch.codePointAt(0)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    idx += ch.length;
  }
  return text.length;
}
