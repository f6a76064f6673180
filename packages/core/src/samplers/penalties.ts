import type { Candidates } from "../candidates.js";
import { invalidateCandidates } from "../candidates.js";
import { LogitOverflowError } from "../errors.js";
import { F32_OVERFLOW } from "../float32Overflow.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { sortPairs } from "../sortPairs.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { findCandidate } from "./findCandidate.js";

/** Options of {@link penalties}; every field optional (defaults turn the stage off). */
export interface PenaltiesOptions {
  /** llama.cpp repetition penalty r > 0; 1 = off. */
  repetition?: number;
  /** OpenAI frequency penalty (per occurrence). */
  frequency?: number;
  /** OpenAI presence penalty (once per distinct token). */
  presence?: number;
  /** Number of most recent accepted tokens considered; integer ≥ 0 (default 64). */
  window?: number;
}

/**
 * Repetition, frequency and presence penalties over a window of the last accepted tokens.
 *
 * Exact definition: let c(t) be how many times token t occurs among the last `window` accepted tokens.
 * For every candidate t with c(t) > 0, in this order:
 * 1. repetition (llama.cpp sign rule): `logit ← logit > 0 ? logit / r : logit · r`;
 * 2. frequency and presence (OpenAI): `logit ← logit − c(t) · frequency − presence`.
 * Computed in float64, stored as float32; `−Infinity` stays `−Infinity`. Tokens with c(t) = 0 are untouched.
 * A result past float32's range (e.g. a logit of 2e38 with repetition 0.5) is a {@link LogitOverflowError}
 * naming the row and token — the distribution would be undefined.
 *
 * @param opts - See {@link PenaltiesOptions}.
 * @returns A stage named `"penalties"` with `accept`, `reset`, `saveState`/`loadState` (the window;
 *   `historyWindow` = `window`, so a sampler saves the window once as its `recent` tokens).
 *
 * @example
 * ```ts
 * const s = penalties({ repetition: 2, frequency: 0.5, presence: 0.25 });
 * s.accept(1); s.accept(1); s.accept(2);
 * // logits [1, 3, -1] → token 1: 3/2 − 2·0.5 − 0.25 = 0.25; token 2: −1·2 − 0.5 − 0.25 = −2.75 → [1, 0.25, −2.75]
 * ```
 *
 * References: Keskar et al. 2019 (CTRL) and llama.cpp `llama_sampler_penalties_apply` (sign rule);
 * OpenAI API "Parameter details" (frequency and presence penalties).
 */
export function penalties(opts: PenaltiesOptions = {}): SamplerStage {
  const r = opts.repetition ?? 1;
  const freq = opts.frequency ?? 0;
  const pres = opts.presence ?? 0;
  const window = opts.window ?? 64;
  const ring = new Int32Array(window);
  let head = 0; // next write position
  let count = 0;
  const active = r !== 1 || freq !== 0 || pres !== 0;

  const stage: SamplerStage = {
    name: "penalties",
    historyWindow: window,
    apply(c: Candidates, ctx: SamplingContext): void {
      if (!active || count === 0) return;
      const s = ensureScratch(ctx.scratch, Math.max(count, c.size));
      const keys = s.f64a;
      const toks = s.i32a;
      const unused = s.i32b;
      for (let j = 0; j < count; j++) {
        const t = ring[(head - count + j + window) % window]!;
        keys[j] = t;
        toks[j] = t;
        unused[j] = 0;
      }
      sortPairs(keys, toks, unused, count);
      const logits = c.logits;
      let changed = false;
      let j = 0;
      while (j < count) {
        const t = toks[j]!;
        let k = j + 1;
        while (k < count && toks[k] === t) k++;
        const n = k - j;
        j = k;
        const i = findCandidate(c, t);
        if (i < 0) continue;
        const before: number = logits[i]!;
        let v = before;
        if (r !== 1) v = v > 0 ? v / r : v * r;
        v = v - n * freq - pres;
        if (v >= F32_OVERFLOW) {
          throw new LogitOverflowError(
            ctx.row,
            t,
            "penalties",
            `${before} became ${v} (repetition ${r}, frequency ${freq}, presence ${pres})`,
          );
        }
        logits[i] = v;
        changed = true;
      }
      if (changed) invalidateCandidates(c, s.f64a, s.i32a, s.i32b, s.f32a);
    },
    accept(token: number): void {
      if (window === 0) return;
      ring[head] = token;
      head = (head + 1) % window;
      if (count < window) count++;
    },
    reset(): void {
      head = 0;
      count = 0;
    },
    clone(): SamplerStage {
      const copy = penalties(opts);
      copy.loadState!(stage.saveState!());
      return copy;
    },
    saveState(): number[] {
      const out: number[] = [];
      for (let j = 0; j < count; j++) out.push(ring[(head - count + j + window) % window]!);
      return out;
    },
    loadState(state: readonly number[]): void {
      head = 0;
      count = 0;
      for (let j = 0; j < state.length; j++) stage.accept!(state[j]!);
    },
  };
  return withFastPath(stage, { effect: active ? OTHER : IDENTITY });
}
