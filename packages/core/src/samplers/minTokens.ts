import type { Candidates } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { maskTokens } from "./maskTokens.js";

/**
 * Min tokens: the end-of-sequence token(s) cannot be drawn before `n` tokens were generated.
 *
 * Exact definition (Hugging Face's `MinNewTokensLengthLogitsProcessor`, vLLM's `min_tokens`): while
 * the sampling step (`ctx.step`: the number of tokens this sampler has generated, prompt tokens fed
 * through `accept` not counted) is below n, every id in `eosIds` gets probability 0. `n ≤ 0` or no ids
 * is off. In a batch every row is step 0, so `n ≥ 1` bans them on every row.
 *
 * @param n - Minimum number of generated tokens, integer.
 * @param eosIds - The end-of-sequence (stop) token ids.
 * @returns A stage named `"min_tokens"`.
 * @throws {EmptyCandidatesError} at a step where the EOS tokens were the only ones left.
 *
 * @example
 * ```ts
 * // eos 0, n = 2: at steps 0 and 1 token 0 is banned; from step 2 on it is left alone
 * minTokens(2, [0]).apply(candidates, createSamplingContext(4, { step: 1 }));
 * ```
 *
 * References: Hugging Face transformers `MinNewTokensLengthLogitsProcessor`; vLLM `SamplingParams.min_tokens`.
 */
export function minTokens(n: number, eosIds: readonly number[]): SamplerStage {
  const ids = eosIds.slice();
  const stage: SamplerStage = {
    name: "min_tokens",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (ctx.step >= n || ids.length === 0) return;
      maskTokens(c, ids, ids.length, "min_tokens", ctx);
    },
    clone() {
      return minTokens(n, ids);
    },
  };
  return withFastPath(stage, { effect: n > 0 && ids.length > 0 ? OTHER : IDENTITY });
}
