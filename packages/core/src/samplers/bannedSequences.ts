import type { Candidates } from "../candidates.js";
import { InvalidParamsError } from "../errors.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import type { Tokenizer } from "../types.js";
import { BanAutomaton } from "./banAutomaton.js";
import { maskTokens } from "./maskTokens.js";
import { TokenHistory } from "./tokenHistory.js";

/**
 * Banned sequences: never lets the output contain any of the given token sequences.
 *
 * Exact definition (Hugging Face's `NoBadWordsLogitsProcessor`, `bad_words_ids`): a sequence
 * [s_1 … s_k] bans s_k (probability 0) whenever the accepted tokens end with [s_1 … s_(k−1)]; a
 * one-token sequence is banned at every step. A string is banned as the ids `tokenizer.encode(text)`
 * gives it — the one canonical tokenization, as Hugging Face does; another tokenization of the same
 * text is not caught.
 *
 * @param sequences - Token-id sequences and/or strings (strings need `opts.tokenizer`); empty ones are ignored.
 * @param opts - `tokenizer` to encode the strings.
 * @returns A stage named `"banned_sequences"` with `accept`, `reset`, `saveState`/`loadState` (the last
 * tokens the automaton depends on).
 * @throws {InvalidParamsError} for a string without a tokenizer, or an id that is not a non-negative integer.
 *
 * @example
 * ```ts
 * const s = bannedSequences([[4, 5], [9]]);
 * s.accept(4);
 * s.apply(candidates, ctx); // tokens 5 and 9 are banned at this step
 * ```
 *
 * Method: an Aho–Corasick automaton over the sequences ({@link BanAutomaton}); each accepted token
 * moves it one state, and a step bans the tokens listed along the state's failure chain — the cost per
 * step depends on the longest sequence and on how many tokens are banned, not on how many sequences.
 * References: Aho & Corasick 1975; Hugging Face transformers `NoBadWordsLogitsProcessor`.
 */
export function bannedSequences(
  sequences: readonly (string | readonly number[])[],
  opts: { tokenizer?: Tokenizer } = {},
): SamplerStage {
  const ids = sequences.map((seq, i) => toIds(seq, i, opts.tokenizer));
  return bannedIdSequences(ids);
}

function bannedIdSequences(ids: readonly (readonly number[])[]): SamplerStage {
  const automaton = new BanAutomaton(ids);
  const recent = new TokenHistory(automaton.maxLength);
  const out: number[] = [];
  let state = 0;
  const stage: SamplerStage = {
    name: "banned_sequences",
    // the automaton's state depends on the last maxLength tokens only
    historyWindow: automaton.maxLength,
    apply(c: Candidates, ctx: SamplingContext): void {
      const n = automaton.banned(state, out);
      if (n > 0) maskTokens(c, out, n, "banned_sequences", ctx);
    },
    accept(token: number): void {
      state = automaton.next(state, token);
      recent.push(token);
    },
    reset(): void {
      state = 0;
      recent.clear();
    },
    clone(): SamplerStage {
      const copy = bannedIdSequences(ids);
      copy.loadState!(recent.toArray());
      return copy;
    },
    saveState(): number[] {
      return recent.toArray();
    },
    loadState(tokens: readonly number[]): void {
      // The state depends only on the last maxLength tokens: replaying them from the start reaches it.
      stage.reset!();
      for (let i = Math.max(0, tokens.length - automaton.maxLength); i < tokens.length; i++)
        stage.accept!(tokens[i]!);
    },
  };
  return withFastPath(stage, { effect: automaton.maxLength > 0 ? OTHER : IDENTITY });
}

function toIds(seq: string | readonly number[], index: number, tokenizer: Tokenizer | undefined): number[] {
  if (typeof seq === "string") {
    if (tokenizer === undefined) {
      throw new InvalidParamsError(
        "bannedSequences",
        `entry ${index} is a string ("${seq}") but no tokenizer was given; pass token ids or a tokenizer`,
      );
    }
    return tokenizer.encode(seq);
  }
  if (!Array.isArray(seq)) {
    throw new InvalidParamsError(
      "bannedSequences",
      `entry ${index} must be a string or an array of token ids`,
    );
  }
  for (const t of seq) {
    if (!Number.isInteger(t) || t < 0) {
      throw new InvalidParamsError(
        "bannedSequences",
        `entry ${index} holds ${String(t)}, not a token id (an integer ≥ 0)`,
      );
    }
  }
  return seq.slice();
}
