import type { Tokenizer } from "@logitstream/core";
import bpeRanks from "gpt-tokenizer/bpeRanks/cl100k_base";
import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
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

/** Options that make gpt-tokenizer encode special-token text (`"<|endoftext|>"`) as ordinary text instead of throwing. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The cl100k_base byte-pair-encoding vocabulary (GPT-3.5/GPT-4's, V = 100,277 ids) as a core `Tokenizer`:
 * text → ids with gpt-tokenizer, and id → the token's exact raw bytes.
 *
 * Use it to turn a prompt into a context for `NgramModel.next` and to detokenize what is sampled.
 * Decoding works on bytes because a token can be a partial UTF-8 sequence (e.g. the first bytes of
 * an emoji); concatenate `tokenBytes` of consecutive ids and decode the whole with a streaming
 * `TextDecoder`.
 *
 * Method: gpt-tokenizer ships the rank table (`gpt-tokenizer/bpeRanks/cl100k_base`), an array whose
 * index is the token id and whose value is either the token as a string (when its bytes are valid
 * UTF-8) or the raw byte values (781 tokens that are partial sequences). The constructor lays all
 * tokens' bytes into one buffer with an offset table, so `tokenBytes` is a zero-copy view. Special
 * tokens map to their literal text; the ids the vocabulary leaves unused (100256, 100261–100263,
 * 100267–100275) map to no bytes. `encode` never emits special tokens: `"<|endoftext|>"` in the text
 * is encoded as ordinary characters.
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

  constructor() {
    const V = this.vocabSize;
    const encoder = new TextEncoder();
    const ranks = bpeRanks as ReadonlyArray<string | readonly number[] | undefined>;
    // Generous upper bound (a UTF-16 unit encodes to at most 3 bytes), trimmed after filling.
    let bound = 0;
    for (let id = 0; id < ranks.length; id++) {
      const t = ranks[id];
      bound += t === undefined ? 0 : typeof t === "string" ? t.length * 3 : t.length;
    }
    for (const [, text] of SPECIAL_TOKENS) bound += text.length;
    const buf = new Uint8Array(bound);
    const offsets = new Uint32Array(V + 1);
    const special = new Map(SPECIAL_TOKENS);
    let pos = 0;
    for (let id = 0; id < V; id++) {
      offsets[id] = pos;
      const t = id < ranks.length ? ranks[id] : special.get(id);
      if (t === undefined) continue;
      if (typeof t === "string") {
        pos += encoder.encodeInto(t, buf.subarray(pos)).written;
      } else {
        buf.set(t, pos);
        pos += t.length;
      }
    }
    offsets[V] = pos;
    this.#bytes = buf.slice(0, pos);
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
    return encodeCl100k(text, PLAIN_TEXT);
  }
}
