import { expAny } from "./expAny.js";
import type { MirostatOptions, MirostatStage } from "./mirostat.js";
import { mirostatStage } from "./mirostatStage.js";
import { probabilityFilter } from "./probabilityFilter.js";

const LN2 = Math.LN2;

/**
 * Mirostat v2 (terminal): drops the tokens whose surprise exceeds μ, draws from the rest, and moves μ
 * by the error so the observed surprise tracks τ.
 *
 * Exact definition (llama.cpp's `mirostat-v2`): with p the softmax of the candidates, keep the tokens
 * with −log₂ p_i ≤ μ, i.e. p_i ≥ 2^(−μ) (decided in float64 as `e_i ≥ 2^(−μ) · Z`), at least the most
 * likely one (ties → lower id); draw with u = `uniform(seed, stream, step)` by `dist`'s rule; then
 * μ ← μ − η · (−log₂ p_sel − τ), p_sel normalized over the kept tokens. float64 throughout
 * (llama.cpp: float32), engine-independent exp and log.
 *
 * @param opts - τ and η (see {@link MirostatOptions}; `m` is unused).
 * @returns A terminal stage named `"mirostat_v2"`; state μ, `reset` → μ = 2τ.
 *
 * @example
 * ```ts
 * // p = [0.5, 0.25, 0.125, 0.125], μ = 2 (τ = 1) → keeps p ≥ 0.25: tokens 0 and 1
 * mirostatV2({ tau: 1, eta: 0.1 }).apply(candidates, ctx);
 * ```
 *
 * References: Basu et al. 2021 (Mirostat), and llama.cpp `llama_sampler_mirostat_v2_apply`.
 */
export function mirostatV2(opts: MirostatOptions): MirostatStage {
  return mirostatStage(
    "mirostat_v2",
    opts,
    (c, mu, ctx) => probabilityFilter(c, expAny(-mu * LN2), 1, ctx),
    mirostatV2,
  );
}
