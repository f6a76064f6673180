import type { Tokenizer } from "@logitstream/core";
// The split pattern only (a few regular expressions): the rank table comes from cl100kVocab.ts.
import { CL100K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import { CL100K_MERGEABLE, CL100K_VOCAB_BASE64 } from "./cl100kVocab.js";
import { TokenIdError } from "./errors.js";

/** cl100k_base special tokens (tiktoken's table); their bytes are their literal text, as tiktoken decodes them. */
const SPECIAL_TOKENS: ReadonlyArray<readonly [number, string]> = [
  [100257, "<|endoftext|>"],
  [100258, "<|fim_prefix|>"],
  [100259, "<|fim_middle|>"],
  [100260, "<|fim_suffix|>"],
  [100264, "<|im_start|>"],
  [100265, "<|im_end|>"],
  [100266, "<|im_sep|>"],
  [100276, "<|endofprompt|>"],
];

/**
 * The cl100k_base byte-pair-encoding vocabulary (GPT-3.5/GPT-4's, V = 100,277 ids) as a core `Tokenizer`:
 * text → ids by byte-pair merging, and id → the token's exact raw bytes.
 *
 * Use it to turn a prompt into a context for `NgramModel.next` and to detokenize what is sampled.
 * Decoding works on bytes because a token can be a partial UTF-8 sequence (e.g. the first bytes of
 * an emoji); concatenate `tokenBytes` of consecutive ids and decode the whole with a streaming
 * `TextDecoder`.
 *
 * Method: the bytes of the 100,256 mergeable tokens (generated from gpt-tokenizer's cl100k_base rank
 * table into cl100kVocab.ts, one base64 string) are decoded into one buffer with an offset table, so
 * `tokenBytes` is a zero-copy view and constructing a tokenizer allocates no per-token objects.
 * Special tokens map to their literal text; the ids the vocabulary leaves unused (100256,
 * 100261–100263, 100267–100275) map to no bytes. `encode` splits the text with cl100k_base's pattern
 * (gpt-tokenizer's), looks each piece's UTF-8 bytes up whole, and otherwise merges byte pairs, lowest
 * rank first (leftmost on ties) — the result is gpt-tokenizer's, token for token (tested on random
 * and real text). The bytes → id table it needs is built on the first `encode`, so a process that only
 * decodes never pays for it. `encode` never emits special tokens: `"<|endoftext|>"` in the text is
 * encoded as ordinary characters.
 *
 * References: Sennrich, Haddow & Birch 2016 (BPE for NMT); OpenAI tiktoken, cl100k_base.
 *
 * @example
 * const tok = new BpeTokenizer();
 * const ids = tok.encode("héllo 🎉"); // [71, 19010, 385, 11410, 236, 231]
 * new TextDecoder().decode(Buffer.concat(ids.map((i) => tok.tokenBytes(i)))); // "héllo 🎉"
 */
export class BpeTokenizer implements Tokenizer {
  /** 100,277: one past the largest cl100k id (`<|endofprompt|>` = 100276). */
  readonly vocabSize = 100277;
  /** `<|endoftext|>`, the model's paragraph boundary and end-of-sequence token. */
  readonly endOfTextId = 100257;
  readonly #bytes: Uint8Array;
  readonly #offsets: Uint32Array;
  /** Open-addressing hash of token bytes → id (−1 = empty slot), built on the first `encode`. */
  #ids: Int32Array | null = null;
  /** UTF-8 of the piece being encoded (grown as needed). */
  #piece = new Uint8Array(256);

  constructor() {
    const V = this.vocabSize;
    const R = CL100K_MERGEABLE;
    const encoder = new TextEncoder();
    const special = SPECIAL_TOKENS.map(([id, text]) => [id, encoder.encode(text)] as const);
    const raw = base64Length(CL100K_VOCAB_BASE64);
    // [R lengths][token bytes][special tokens' bytes]: one allocation; #bytes views from the first token on.
    const data = new Uint8Array(raw + special.reduce((n, [, b]) => n + b.length, 0));
    decodeVocab(data, raw);
    const offsets = new Uint32Array(V + 1);
    let pos = 0;
    for (let id = 0; id < R; id++) {
      offsets[id] = pos;
      pos += data[id] as number;
    }
    let sp = 0;
    for (let id = R; id < V; id++) {
      offsets[id] = pos;
      const next = special[sp];
      if (next !== undefined && next[0] === id) {
        data.set(next[1], R + pos);
        pos += next[1].length;
        sp++;
      }
    }
    offsets[V] = pos;
    this.#bytes = data.subarray(R, R + pos);
    this.#offsets = offsets;
  }

  /**
   * The raw bytes of token `id`: a read-only view into a shared buffer (copy it before mutating).
   * @param id token id in `[0, vocabSize)`; unused ids give an empty array.
   */
  tokenBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
      throw new TokenIdError(0, id, this.vocabSize);
    return this.#bytes.subarray(this.#offsets[id] as number, this.#offsets[id + 1] as number);
  }

  /** Text → cl100k token ids (special-token text is encoded as plain text, never as a special id). */
  encode(text: string): number[] {
    const ids = this.#ids ?? this.#buildIds();
    const out: number[] = [];
    for (const match of text.matchAll(CL100K_TOKEN_SPLIT_REGEX)) {
      const piece = match[0];
      // A UTF-16 unit encodes to at most 3 UTF-8 bytes (a lone surrogate to U+FFFD's three).
      if (this.#piece.length < piece.length * 3) this.#piece = new Uint8Array(piece.length * 3);
      const buf = this.#piece;
      const n = UTF8.encodeInto(piece, buf).written;
      // gpt-tokenizer looks a piece up whole by its text, which a lone surrogate never matches.
      const whole = LONE_SURROGATE.test(piece) ? -1 : lookup(ids, this.#bytes, this.#offsets, buf, 0, n);
      if (whole >= 0) out.push(whole);
      else this.#merge(ids, buf, n, out);
    }
    return out;
  }

  /**
   * Byte-pair merging of one piece (Sennrich et al.; tiktoken's order): start from single bytes,
   * repeatedly join the adjacent pair whose concatenation has the lowest rank (id), the leftmost on
   * ties, until no adjacent pair is a token; push the parts' ids. Every single byte is a cl100k token,
   * so every part has an id.
   */
  #merge(ids: Int32Array, buf: Uint8Array, n: number, out: number[]): void {
    const bytes = this.#bytes;
    const offsets = this.#offsets;
    // starts[0 … count): part boundaries; ranks[i]: rank of joining parts i and i + 1 (NONE: not a token).
    const starts = new Int32Array(n + 1);
    const ranks = new Int32Array(n + 1);
    let count = n + 1;
    for (let i = 0; i <= n; i++) starts[i] = i;
    const rankAt = (i: number): number => {
      if (i + 2 >= count) return NONE;
      const id = lookup(ids, bytes, offsets, buf, starts[i] as number, starts[i + 2] as number);
      return id < 0 ? NONE : id;
    };
    for (let i = 0; i < count; i++) ranks[i] = rankAt(i);
    for (;;) {
      let best = NONE;
      let at = -1;
      for (let i = 0; i + 1 < count; i++) {
        const r = ranks[i] as number;
        if (r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      // Join parts at and at + 1: drop boundary at + 1 and the pair rank that started there.
      starts.copyWithin(at + 1, at + 2, count);
      ranks.copyWithin(at + 1, at + 2, count);
      count--;
      ranks[at] = rankAt(at);
      if (at > 0) ranks[at - 1] = rankAt(at - 1);
    }
    for (let i = 0; i + 1 < count; i++)
      out.push(lookup(ids, bytes, offsets, buf, starts[i] as number, starts[i + 1] as number));
  }

  /** The bytes → id table of the mergeable tokens (a power-of-two table at most half full, linear probing). */
  #buildIds(): Int32Array {
    const bytes = this.#bytes;
    const offsets = this.#offsets;
    const ids = new Int32Array(TABLE_SIZE).fill(-1);
    for (let id = 0; id < CL100K_MERGEABLE; id++) {
      let slot = hash(bytes, offsets[id] as number, offsets[id + 1] as number) & (TABLE_SIZE - 1);
      while ((ids[slot] as number) >= 0) slot = (slot + 1) & (TABLE_SIZE - 1);
      ids[slot] = id;
    }
    this.#ids = ids;
    return ids;
  }
}

/** Rank meaning "not a token": larger than every id. */
const NONE = 0x7fffffff;
/** 2^18 slots for 100,256 tokens: at most 39 % full, so probes stay short. */
const TABLE_SIZE = 1 << 18;
const UTF8 = new TextEncoder();
/** With the `u` flag a class of surrogates matches only unpaired ones. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A hash of bytes[lo … hi) from its length and five of its bytes (first, second, middle, last two), not
 * all of them: building the table hashes all 100,256 tokens on the first `encode`, usually before the
 * JIT has optimized anything, and a loop over every byte (644 KB) was most of that cost. Tokens that
 * agree on these six values are told apart by comparing bytes in the probe.
 */
function hash(bytes: Uint8Array, lo: number, hi: number): number {
  const n = hi - lo;
  let h = Math.imul(n, 0x9e3779b1) ^ (bytes[lo] as number);
  h = Math.imul(h ^ (bytes[lo + (n > 1 ? 1 : 0)] as number), 0x01000193);
  h = Math.imul(h ^ (bytes[lo + (n >> 1)] as number), 0x01000193);
  h = Math.imul(h ^ (bytes[hi - (n > 1 ? 2 : 1)] as number), 0x01000193);
  h = Math.imul(h ^ (bytes[hi - 1] as number), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** The id of the mergeable token whose bytes are buf[lo … hi), or −1. */
function lookup(
  ids: Int32Array,
  bytes: Uint8Array,
  offsets: Uint32Array,
  buf: Uint8Array,
  lo: number,
  hi: number,
): number {
  const len = hi - lo;
  for (let slot = hash(buf, lo, hi) & (TABLE_SIZE - 1); ; slot = (slot + 1) & (TABLE_SIZE - 1)) {
    const id = ids[slot] as number;
    if (id < 0) return -1;
    const at = offsets[id] as number;
    if ((offsets[id + 1] as number) - at !== len) continue;
    let i = 0;
    while (i < len && bytes[at + i] === buf[lo + i]) i++;
    if (i === len) return id;
  }
}

/**
 * Decodes the vocabulary into data[0 … raw): natively through Node's Buffer (which writes into `data`'s
 * memory in place) where there is one — ~1 ms instead of a JavaScript loop over a million characters
 * on a cold JIT — else (a browser) through the platform's `atob`.
 */
function decodeVocab(data: Uint8Array, raw: number): void {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  const written =
    NodeBuffer === undefined
      ? 0
      : NodeBuffer.from(data.buffer, data.byteOffset, raw).write(CL100K_VOCAB_BASE64, "base64");
  if (written === raw) return;
  // atob gives a binary string: one char per byte.
  const binary = atob(CL100K_VOCAB_BASE64);
  for (let i = 0; i < raw; i++) data[i] = binary.charCodeAt(i);
}

/** Bytes encoded by a padded base64 string. */
function base64Length(text: string): number {
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}
