import type { Candidates } from "../candidates.js";
import type { SamplerStage } from "../samplerStage.js";

/**
 * Greedy (terminal): selects the candidate with the highest logit; ties → the lower id.
 *
 * @returns A stage named `"greedy"` that sets `candidates.selected`.
 *
 * @example
 * ```ts
 * // logits [1, 4, 4, 2] → selects token 1
 * greedy().apply(candidates, ctx);
 * ```
 *
 * References: llama.cpp `llama_sampler_greedy_apply`.
 */
export function greedy(): SamplerStage {
  return {
    name: "greedy",
    apply(c: Candidates): void {
      if (c.sorted) {
        c.selected = 0;
        return;
      }
      // unsorted candidates are in id order: the first strict maximum has the lowest id
      const logits = c.logits;
      const n = c.size;
      let best = 0;
      let bv = logits[0]!;
      for (let i = 1; i < n; i++) {
        const v = logits[i]!;
        if (v > bv) {
          bv = v;
          best = i;
        }
      }
      c.selected = best;
    },
    clone() {
      return greedy();
    },
  };
}
