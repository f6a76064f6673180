import type { Candidates } from "../candidates.js";
import { createCandidates } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { expAny } from "./expAny.js";
import { mirostatStage } from "./mirostatStage.js";
import { selectTopK } from "./topK.js";

const LN2 = Math.LN2;

/** Options of {@link mirostat} and {@link mirostatV2}. */
export interface MirostatOptions {
  /** Target surprise τ in bits, finite > 0 (llama.cpp's default 5). */
  tau: number;
  /** Learning rate η, finite > 0 (llama.cpp's default 0.1). */
  eta: number;
  /** Mirostat v1 only: how many top tokens estimate the Zipf exponent (integer ≥ 2, default 100). */
  m?: number;
}

/** A mirostat stage: a terminal {@link SamplerStage} whose state is the running threshold μ. */
export interface MirostatStage extends SamplerStage {
  /** The current μ (bits); starts at 2τ, updated after every draw. */
  readonly mu: number;
  /** `[μ]` — the stage's JSON-serializable state. */
  saveState(): number[];
  /** Restores `[μ]` from {@link MirostatStage.saveState}. */
  loadState(state: readonly number[]): void;
}

/**
 * Mirostat v1 (terminal): picks k from an estimate of the distribution's Zipf exponent so the expected
 * surprise tracks τ, draws from the top k, and moves μ by the error.
 *
 * Exact definition (llama.cpp's `mirostat`): with l_0 ≥ l_1 ≥ … the candidate logits (ties → lower
 * id), ŝ = Σ t_i b_i / Σ t_i² over i < min(m − 1, size − 1), t_i = ln((i + 2)/(i + 1)),
 * b_i = ln(p_i / p_(i+1)) = l_i − l_(i+1); ε̂ = ŝ − 1; k = ((ε̂ · 2^μ) / (1 − V^(−ε̂)))^(1/ŝ) with V
 * the vocabulary size; keep the top max(⌊k⌋, 1) (all when k is +∞ or ≥ size, 1 when k is NaN or
 * below 1); draw with u = `uniform(seed, stream, step)` by `dist`'s rule; then
 * μ ← μ − η · (−log₂ p_sel − τ), p_sel normalized over the kept tokens. A single candidate is selected
 * without a draw and μ is updated the same way. All arithmetic is float64 (llama.cpp uses float32),
 * exponentials and logs engine-independent.
 *
 * @param opts - τ, η and m (see {@link MirostatOptions}).
 * @returns A terminal stage named `"mirostat"`; state μ (see {@link MirostatStage}), `reset` → μ = 2τ.
 *
 * @example
 * ```ts
 * const s = mirostat({ tau: 5, eta: 0.1 });
 * s.apply(candidates, ctx); // candidates.selected set; s.mu moved from 10 toward τ
 * ```
 *
 * References: Basu, Ramachandran, Keskar & Varshney 2021, "Mirostat: a neural text decoding algorithm
 * that directly controls perplexity" (Algorithm 1); llama.cpp `llama_sampler_mirostat_apply`.
 */
export function mirostat(opts: MirostatOptions): MirostatStage {
  const m = opts.m ?? 100;
  const top = createCandidates();
  return mirostatStage(
    "mirostat",
    opts,
    (c, mu, ctx) => {
      if (c.size <= 1) return;
      const k = mirostatK(c, top, m, mu, ctx);
      if (k < c.size) selectTopK(c, k, ctx);
    },
    mirostat,
  );
}

/**
 * k of mirostat v1 for the candidates `c` at threshold `mu` (bits): an integer in [1, ∞).
 * `top` is scratch: it receives the m best candidates, sorted.
 */
function mirostatK(c: Candidates, top: Candidates, m: number, mu: number, ctx: SamplingContext): number {
  const n = c.size;
  const want = Math.min(m, n);
  let logits: Float32Array;
  if (c.sorted) {
    logits = c.logits;
  } else {
    if (top.ids.length < n) {
      top.ids = new Int32Array(n);
      top.logits = new Float32Array(n);
      top.probs = new Float64Array(0);
    }
    top.ids.set(c.ids.subarray(0, n));
    top.logits.set(c.logits.subarray(0, n));
    top.size = n;
    top.sorted = false;
    top.max = c.max;
    selectTopK(top, want, ctx);
    logits = top.logits;
  }
  let sumTB = 0;
  let sumTT = 0;
  for (let i = 0; i < want - 1; i++) {
    const t = portableLog((i + 2) / (i + 1));
    const b = logits[i]! - logits[i + 1]!;
    sumTB += t * b;
    sumTT += t * t;
  }
  const s = sumTB / sumTT;
  const e = s - 1;
  const ratio = (e * expAny(mu * LN2)) / (1 - expAny(-e * portableLog(ctx.vocab)));
  const k = ratio > 0 ? expAny(portableLog(ratio) / s) : Number.NaN;
  if (k === Number.POSITIVE_INFINITY) return n;
  if (!(k >= 1)) return 1;
  return Math.min(Math.floor(k), n);
}
