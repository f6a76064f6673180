import type { Candidates } from "../candidates.js";
import { candidateMax } from "../candidates.js";
import type { SamplerStage } from "../samplerStage.js";
import { IDENTITY, withFastPath } from "../stageFastPath.js";

/**
 * Temperature: divides the logits by `T` (sharper below 1, flatter above); `T = 0` means greedy.
 *
 * Exact definition: for `T > 0` every candidate logit becomes `(logit − max) / T`, computed in float64
 * and stored as float32 — the same distribution as `logit / T` (softmax is shift-invariant), but the
 * shift makes overflow impossible even for tiny `T`; `−Infinity` stays `−Infinity`. `T = 1` is a no-op.
 * `T = 0` keeps only the highest logit (ties → the lower id), so any later `dist` is deterministic.
 *
 * @param t - Temperature, finite and ≥ 0.
 * @returns A stage named `"temperature"`.
 *
 * @example
 * ```ts
 * // logits [1, 3, 2] at T = 0.5 → [-4, 0, -2]; at T = 0 → only token 1 is left
 * temperature(0.5).apply(candidates, ctx);
 * ```
 *
 * References: llama.cpp `llama_sampler_temp_impl` (`src/llama-sampling.cpp`); vLLM `Sampler.apply_temperature`.
 */
export function temperature(t: number): SamplerStage {
  const stage: SamplerStage = {
    name: "temperature",
    apply(c: Candidates): void {
      applyTemperature(c, t);
    },
    clone() {
      return temperature(t);
    },
  };
  return withFastPath(stage, { effect: t === 1 ? IDENTITY : { kind: "scale", temperature: t } });
}

/**
 * The temperature transform on a candidate set, as {@link temperature} defines it; also what a
 * leading stage's fast path applies to the candidates it picked from the raw row.
 *
 * @param c - The candidates.
 * @param t - Temperature, finite and ≥ 0 (1: nothing happens).
 * @example
 * ```ts
 * applyTemperature(c, 0.5); // logits [1, 3, 2] → [-4, 0, -2]
 * ```
 */
export function applyTemperature(c: Candidates, t: number): void {
  if (t === 1) return;
  const n = c.size;
  const logits = c.logits;
  c.pristine = false;
  if (t === 0) {
    let best = 0;
    if (!c.sorted) {
      // unsorted candidates are in id order, so the first strict maximum is the lowest id
      let bv = logits[0]!;
      for (let i = 1; i < n; i++) {
        const v = logits[i]!;
        if (v > bv) {
          bv = v;
          best = i;
        }
      }
    }
    c.ids[0] = c.ids[best]!;
    logits[0] = logits[best]!;
    c.size = 1;
    c.sorted = true;
    c.max = logits[0]!;
    c.probsValid = false;
    return;
  }
  const m = candidateMax(c);
  for (let i = 0; i < n; i++) logits[i] = (logits[i]! - m) / t;
  c.max = 0;
  c.probsValid = false;
}
