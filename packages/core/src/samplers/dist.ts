import type { Candidates } from "../candidates.js";
import { uniform } from "../rng.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import type { RowHead, RowView } from "../stageFastPath.js";
import { OTHER, withFastPath } from "../stageFastPath.js";
import { drawCandidate } from "./drawCandidate.js";
import { rowArgmax } from "./greedy.js";

/**
 * Dist (terminal): draws one candidate from the softmax of the candidate logits.
 *
 * Exact definition: u = `uniform(seed, stream, step)` (Philox-4x32-10, see `rng.ts`); with e_i =
 * exp(logit_i − max) in candidate order and Z = Σ e_i (float64), select the first i whose running sum
 * exceeds u · Z (strictly, so a zero-probability candidate is never chosen; if rounding leaves the sum
 * short, the last candidate with e_i > 0). Candidate order is a function of the row and params only,
 * so the draw is reproducible anywhere.
 *
 * @returns A stage named `"dist"` that sets `candidates.selected`.
 *
 * @example
 * ```ts
 * // logits [0, 0] and u = 0.3 → token 0; u = 0.7 → token 1
 * dist().apply(candidates, ctx);
 * ```
 *
 * Method: inverse-CDF scan (~0.4 ns/element), reusing the exponentials a filter already computed
 * (`candidates.probs`) instead of recomputing them.
 * Fast path: when every stage before it is an inactive filter or the temperature, one SIMD pass over
 * the loaded row draws the token (see `drawFromRow`).
 * References: llama.cpp `llama_sample_dist` (std::discrete_distribution); vLLM `random_sample`.
 */
export function dist(): SamplerStage {
  const stage: SamplerStage = {
    name: "dist",
    apply(c: Candidates, ctx: SamplingContext): void {
      c.selected = drawCandidate(c, uniform(ctx.seed, ctx.stream, ctx.step), ctx.row, "dist");
    },
    clone() {
      return dist();
    },
  };
  return withFastPath(stage, { effect: OTHER, pickFromRow: drawFromRow });
}

/**
 * dist after leading no-ops and a temperature T, on the loaded row: T = 0 leaves one candidate (the
 * argmax); otherwise one draw from softmax(row / T) by the fused float32 exp-and-sum and inverse-CDF
 * walk (`LoadedRow.draw`, same u as the stage) — it can differ from the float64 stage only where
 * the float32 cumulative sum crosses u·S differently.
 */
function drawFromRow(row: RowView, t: number, ctx: SamplingContext, head: RowHead): number {
  if (t === 0) return rowArgmax(row, head);
  return row.kernelRow!.draw(t, uniform(ctx.seed, ctx.stream, ctx.step));
}
