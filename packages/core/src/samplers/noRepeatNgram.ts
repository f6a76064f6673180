import type { Candidates } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { maskTokens } from "./maskTokens.js";

/**
 * No-repeat-n-gram: bans every token that would complete an n-gram already present in the history.
 *
 * Exact definition (Hugging Face's `NoRepeatNGramLogitsProcessor`): with h the accepted tokens (the
 * prompt too, when it was fed through `accept`), and L = |h|: when L ≥ n − 1, every token t such that
 * `h[L−n+1 … L−1] ++ [t]` occurs as n consecutive tokens of h is banned (probability 0). n = 1 bans
 * every token already accepted. `n ≤ 0` is off.
 *
 * @param n - n-gram size, integer (≤ 0 = off).
 * @returns A stage named `"no_repeat_ngram"` with `accept`, `reset`, `saveState`/`loadState` (the history).
 *
 * @example
 * ```ts
 * const s = noRepeatNgram(2);
 * for (const t of [5, 6, 5]) s.accept(t); // bigrams (5, 6), (6, 5); the last token is 5
 * s.apply(candidates, ctx);                // token 6 is banned: (5, 6) would repeat
 * ```
 *
 * Method: each accepted token adds its n-gram to a map from the (n−1)-token prefix to the tokens that
 * followed it, so a step costs one map look-up plus the banned tokens (not a scan of the history).
 * References: Paulus, Xiong & Socher 2017 (the n-gram blocking of abstractive summarization);
 * Hugging Face transformers `NoRepeatNGramLogitsProcessor`.
 */
export function noRepeatNgram(n: number): SamplerStage {
  const history: number[] = [];
  const followers = new Map<string, number[]>();
  const prefixKey = (end: number): string => history.slice(end - (n - 1), end).join(",");

  const stage: SamplerStage = {
    name: "no_repeat_ngram",
    // its state is the whole history (every n-gram seen); nothing when off
    historyWindow: n > 0 ? Number.POSITIVE_INFINITY : 0,
    apply(c: Candidates, ctx: SamplingContext): void {
      if (n <= 0 || history.length < n - 1) return;
      const banned = followers.get(prefixKey(history.length));
      if (banned !== undefined) maskTokens(c, banned, banned.length, "no_repeat_ngram", ctx);
    },
    accept(token: number): void {
      if (n <= 0) return;
      history.push(token);
      const len = history.length;
      if (len < n) return;
      const key = prefixKey(len - 1);
      const list = followers.get(key);
      if (list === undefined) followers.set(key, [token]);
      else if (!list.includes(token)) list.push(token);
    },
    reset(): void {
      history.length = 0;
      followers.clear();
    },
    clone(): SamplerStage {
      const copy = noRepeatNgram(n);
      copy.loadState!(history);
      return copy;
    },
    saveState(): number[] {
      return history.slice();
    },
    loadState(state: readonly number[]): void {
      stage.reset!();
      for (const t of state) stage.accept!(t);
    },
  };
  return withFastPath(stage, { effect: n > 0 ? OTHER : IDENTITY });
}
