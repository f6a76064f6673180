import type { Candidates } from "../candidates.js";
import { computeProbs } from "../candidates.js";
import { portableExp } from "../portableExp.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import type { StageEffect } from "../stageFastPath.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { candidateEntropy } from "./candidateEntropy.js";
import { temperature as fixedTemperature } from "./temperature.js";

/** Options of {@link dynamicTemperature}. */
export interface DynamicTemperatureOptions {
  /** Centre temperature T, finite ≥ 0. */
  temperature: number;
  /** Half-width δ: the temperature moves in [max(0, T − δ), T + δ]; δ ≤ 0 = a fixed temperature T. */
  range: number;
  /** Exponent applied to the normalized entropy (finite ≥ 0; 1 = linear). Default 1. */
  exponent?: number;
}

/**
 * Dynamic temperature (entropy-based): a confident distribution is sampled cooler, a flat one hotter.
 *
 * Exact definition (llama.cpp's `temp_ext`): with δ ≤ 0 this is the fixed `temperature(T)` stage.
 * Otherwise, for n ≥ 2 candidates: H = the entropy of their softmax (nats, float64), H_max = ln n
 * (n counts every candidate, masked ones too, as llama.cpp does), and
 * `T_dyn = T_min + (T_max − T_min) · (H / H_max)^exponent` with `T_min = max(0, T − δ)`,
 * `T_max = T + δ`; then the candidates are scaled exactly as `temperature(T_dyn)` does (T_dyn = 0 keeps
 * only the top token). A single candidate is left alone.
 *
 * @param opts - See {@link DynamicTemperatureOptions}.
 * @returns A stage named `"dynatemp"` (it takes the temperature's place in a chain).
 *
 * @example
 * ```ts
 * // logits [0, 0] (H = H_max) with T 1, δ 0.5 → T_dyn = 1.5; logits [0, −∞] (H = 0) → T_dyn = 0.5
 * dynamicTemperature({ temperature: 1, range: 0.5 }).apply(candidates, ctx);
 * ```
 *
 * References: "DynaTemp" (kalomaze, 2023); llama.cpp `llama_sampler_temp_ext_apply`.
 */
export function dynamicTemperature(opts: DynamicTemperatureOptions): SamplerStage {
  const t = opts.temperature;
  const delta = opts.range;
  const exponent = opts.exponent ?? 1;
  const fixed = fixedTemperature(t);
  const tMin = Math.max(0, t - delta);
  const tMax = t + delta;
  const stage: SamplerStage = {
    name: "dynatemp",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (!(delta > 0)) {
        fixed.apply(c, ctx);
        return;
      }
      const n = c.size;
      if (n <= 1) return;
      computeProbs(c);
      const h = candidateEntropy(c);
      const tDyn = tMin + (tMax - tMin) * dynamicTemperaturePower(h / portableLog(n), exponent);
      fixedTemperature(tDyn).apply(c, ctx);
    },
    clone() {
      return dynamicTemperature(opts);
    },
  };
  // With δ ≤ 0 it is the fixed temperature: the chain may fold it into its softmax(row / T).
  return withFastPath(stage, { effect: delta > 0 ? OTHER : fixedEffect(t) });
}

function fixedEffect(t: number): StageEffect {
  return t === 1 ? IDENTITY : t > 0 ? { kind: "scale", temperature: t } : OTHER;
}

/**
 * x^e for x in [0, 1] (clamped: rounding can put H a hair above ln n), with 0^0 = 1 as C's `powf`.
 * Built from `portableExp`/`portableLog` rather than `Math.pow`, whose last bit differs between
 * engines: the temperature decides tokens, so it must be the same number everywhere.
 */
function dynamicTemperaturePower(x: number, e: number): number {
  const v = Math.min(1, Math.max(0, x));
  if (e === 0) return 1;
  if (v === 0) return 0;
  if (e === 1) return v;
  return portableExp(e * portableLog(v));
}
