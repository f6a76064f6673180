import type { Candidates } from "../candidates.js";
import type { SamplerStage } from "../samplerStage.js";
import type { RowHead, RowView } from "../stageFastPath.js";
import { OTHER, withFastPath } from "../stageFastPath.js";

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
 * Fast path: when every stage before it is an inactive filter or the temperature, one SIMD argmax
 * pass over the loaded row replaces loading the V candidates.
 * References: llama.cpp `llama_sampler_greedy_apply`.
 */
export function greedy(): SamplerStage {
  const stage: SamplerStage = {
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
  // After leading no-ops and a temperature (monotone, or T = 0: the argmax too), the pick is the
  // argmax of the raw row.
  return withFastPath(stage, { effect: OTHER, pickFromRow: (row, _t, _ctx, head) => rowArgmax(row, head) });
}

/**
 * The argmax of a row with a kernel handle (ties to the lower id: the top-1 of the kernels' total
 * order) by one SIMD pass, recorded as the row's head; −1 when every token is masked.
 *
 * @param row - The row (`kernelRow` set).
 * @param head - Receives the argmax as its one entry.
 * @returns The token id, or −1.
 * @example
 * ```ts
 * rowArgmax(row, head); // row [1, 3, 3] → 1
 * ```
 */
export function rowArgmax(row: RowView, head: RowHead): number {
  if (head.ids.length < 1) head.ids = new Int32Array(1);
  if (row.kernelRow!.topK(1, head.ids, null) !== 1) return -1;
  head.size = 1;
  return head.ids[0]!;
}
