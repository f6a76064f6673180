import type { Candidates } from "../candidates.js";
import { invalidateCandidates } from "../candidates.js";
import { InvalidParamsError, LogitOverflowError } from "../errors.js";
import { F32_OVERFLOW } from "../float32Overflow.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { findCandidate } from "./findCandidate.js";

/**
 * Logit bias: adds a fixed value to the logits of chosen tokens (OpenAI's `logit_bias`).
 *
 * Exact definition: for each `(id, b)`, `logit[id] ← logit[id] + b` (float32 result); a token already
 * removed by an earlier stage is left out; `−Infinity` stays `−Infinity`; a sum past float32's range is a
 * {@link LogitOverflowError} (the distribution would be undefined). An id ≥ V is an
 * {@link InvalidParamsError} when a row is sampled.
 *
 * @param bias - Token id (number or numeric string) → finite value.
 * @returns A stage named `"logit_bias"` (a no-op when `bias` is empty).
 *
 * @example
 * ```ts
 * // logits [0, 0, 0] with logitBias({ "2": 1.5 }) → [0, 0, 1.5]
 * logitBias({ "2": 1.5 }).apply(candidates, ctx);
 * ```
 *
 * References: OpenAI Chat Completions `logit_bias`; llama.cpp `llama_sampler_logit_bias_apply`.
 */
export function logitBias(bias: Readonly<Record<string, number>>): SamplerStage {
  const keys = Object.keys(bias);
  const ids = new Int32Array(keys.length);
  const vals = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    ids[i] = Number(keys[i]);
    vals[i] = bias[keys[i]!]!;
  }
  const count = keys.length;
  const stage: SamplerStage = {
    name: "logit_bias",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (count === 0) return;
      const logits = c.logits;
      for (let k = 0; k < count; k++) {
        const id = ids[k]!;
        if (id >= ctx.vocab) {
          throw new InvalidParamsError(
            "logitBias",
            `token id ${id} is outside the vocabulary (V = ${ctx.vocab})${ctx.row >= 0 ? ` at row ${ctx.row}` : ""}`,
            ctx.row >= 0 ? ctx.row : undefined,
          );
        }
        const i = findCandidate(c, id);
        if (i < 0) continue;
        const v = logits[i]! + vals[k]!;
        if (v >= F32_OVERFLOW) {
          throw new LogitOverflowError(ctx.row, id, "logit_bias", `${logits[i]} + ${vals[k]} = ${v}`);
        }
        logits[i] = v;
      }
      const s = ensureScratch(ctx.scratch, c.size);
      invalidateCandidates(c, s.f64a, s.i32a, s.i32b, s.f32a);
    },
    clone() {
      return logitBias(bias);
    },
  };
  return withFastPath(stage, { effect: count === 0 ? IDENTITY : OTHER });
}
