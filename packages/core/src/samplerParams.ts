import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";

/**
 * The sampling parameters: one plain, JSON-serializable object — the same object the CLI and wire
 * frames carry. Every field is optional; {@link DEFAULT_SAMPLER_PARAMS} gives the defaults.
 */
export interface SamplerParams {
  /** Divides the logits; 0 means greedy. Finite, ≥ 0. Default 1. */
  temperature?: number;
  /** Keep the K highest logits; integer, 0 (or negative) = off. Default 0. */
  topK?: number;
  /** Nucleus mass, in (0, 1]; 1 = off. Default 1. */
  topP?: number;
  /** Keep tokens with p ≥ minP · p_max; in [0, 1], 0 = off. Default 0. */
  minP?: number;
  /** Locally typical mass, in (0, 1]; 1 = off. Default 1. */
  typicalP?: number;
  /** Keep logits ≥ max − n·σ; finite, ≥ 0, 0 = off. Default 0. */
  topNSigma?: number;
  /** llama.cpp repetition penalty, > 0; 1 = off. Default 1. */
  repetitionPenalty?: number;
  /** OpenAI frequency penalty (subtracted count × value), finite. Default 0. */
  frequencyPenalty?: number;
  /** OpenAI presence penalty (subtracted once per present token), finite. Default 0. */
  presencePenalty?: number;
  /** How many previous accepted tokens the penalties look at; integer ≥ 0. Default 64. */
  penaltyWindow?: number;
  /** Token id (as a string key) → finite value added to its logit. Default none. */
  logitBias?: Record<string, number>;
  /** Integer in [0, 2^32). Default 0. */
  seed?: number;
  /** Explicit stage order, e.g. `["top_k", "temperature", "dist"]`; names from {@link SAMPLER_NAMES}. */
  samplers?: string[];
}

/** The stage names accepted in `samplers`, in the default order (the Hugging Face / vLLM order). */
export const SAMPLER_NAMES: readonly string[] = [
  "logit_bias",
  "penalties",
  "temperature",
  "top_k",
  "top_p",
  "min_p",
  "typical_p",
  "top_n_sigma",
  "greedy",
  "dist",
];

/** Parameters with every default filled in (`samplers` is the default order ending in `dist`). */
export const DEFAULT_SAMPLER_PARAMS: Readonly<Required<SamplerParams>> = Object.freeze({
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  typicalP: 1,
  topNSigma: 0,
  repetitionPenalty: 1,
  frequencyPenalty: 0,
  presencePenalty: 0,
  penaltyWindow: 64,
  logitBias: Object.freeze({}) as Record<string, number>,
  seed: 0,
  // Every stage in the default order, with `dist` as the one terminal (no `greedy`).
  samplers: Object.freeze(SAMPLER_NAMES.filter((name) => name !== "greedy")) as unknown as string[],
});

const KNOWN_KEYS = new Set(Object.keys(DEFAULT_SAMPLER_PARAMS));

function num(p: SamplerParams, key: keyof SamplerParams): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || Number.isNaN(v))
    throw new InvalidParamsError(key, `must be a number, got ${describeValue(v)}`);
  return v;
}

/**
 * Checks a params object and throws at construction time, before any row is touched.
 *
 * Rules: `temperature` finite ≥ 0; `topK` an integer (≤ 0 = off); `topP` and `typicalP` in (0, 1];
 * `minP` in [0, 1]; `topNSigma` finite ≥ 0; `repetitionPenalty` finite > 0; frequency and presence
 * penalties finite; `penaltyWindow` an integer ≥ 0; `logitBias` keys are non-negative integer strings
 * and values finite; `seed` an integer in [0, 2^32); `samplers` known names, no duplicates, at most one
 * terminal (`greedy`/`dist`) and only last; no unknown fields.
 *
 * @param p - The params to check.
 * @throws {InvalidParamsError} naming the first offending parameter.
 *
 * @example
 * ```ts
 * validateSamplerParams({ topP: 0.9 });  // ok
 * validateSamplerParams({ topP: 1.5 });  // throws: invalid parameter "topP": must be in (0, 1], got 1.5
 * ```
 */
export function validateSamplerParams(p: SamplerParams): void {
  if (p === null || typeof p !== "object" || Array.isArray(p)) {
    throw new InvalidParamsError("params", "must be a plain object");
  }
  for (const k of Object.keys(p)) {
    if (!KNOWN_KEYS.has(k)) {
      throw new InvalidParamsError(k, `unknown parameter; known: ${[...KNOWN_KEYS].join(", ")}`);
    }
  }
  const t = num(p, "temperature");
  if (t !== undefined && !(t >= 0 && Number.isFinite(t))) {
    throw new InvalidParamsError("temperature", `must be a finite number ≥ 0 (0 = greedy), got ${t}`);
  }
  const k = num(p, "topK");
  if (k !== undefined && !Number.isInteger(k)) {
    throw new InvalidParamsError("topK", `must be an integer (≤ 0 = off), got ${k}`);
  }
  const tp = num(p, "topP");
  if (tp !== undefined && !(tp > 0 && tp <= 1))
    throw new InvalidParamsError("topP", `must be in (0, 1], got ${tp}`);
  const ty = num(p, "typicalP");
  if (ty !== undefined && !(ty > 0 && ty <= 1)) {
    throw new InvalidParamsError("typicalP", `must be in (0, 1], got ${ty}`);
  }
  const mp = num(p, "minP");
  if (mp !== undefined && !(mp >= 0 && mp <= 1))
    throw new InvalidParamsError("minP", `must be in [0, 1], got ${mp}`);
  const ns = num(p, "topNSigma");
  if (ns !== undefined && !(ns >= 0 && Number.isFinite(ns))) {
    throw new InvalidParamsError("topNSigma", `must be a finite number ≥ 0 (0 = off), got ${ns}`);
  }
  const rp = num(p, "repetitionPenalty");
  if (rp !== undefined && !(rp > 0 && Number.isFinite(rp))) {
    throw new InvalidParamsError("repetitionPenalty", `must be a finite number > 0 (1 = off), got ${rp}`);
  }
  for (const key of ["frequencyPenalty", "presencePenalty"] as const) {
    const v = num(p, key);
    if (v !== undefined && !Number.isFinite(v)) throw new InvalidParamsError(key, `must be finite, got ${v}`);
  }
  const w = num(p, "penaltyWindow");
  if (w !== undefined && !(Number.isInteger(w) && w >= 0)) {
    throw new InvalidParamsError("penaltyWindow", `must be an integer ≥ 0, got ${w}`);
  }
  const s = num(p, "seed");
  if (s !== undefined && !(Number.isInteger(s) && s >= 0 && s < 4294967296)) {
    throw new InvalidParamsError("seed", `must be an integer in [0, 2^32), got ${s}`);
  }
  if (p.logitBias !== undefined) {
    const b = p.logitBias;
    if (b === null || typeof b !== "object" || Array.isArray(b)) {
      throw new InvalidParamsError("logitBias", "must be an object mapping token ids to numbers");
    }
    for (const key of Object.keys(b)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || !Number.isSafeInteger(Number(key))) {
        throw new InvalidParamsError("logitBias", `key "${key}" is not a token id (a non-negative integer)`);
      }
      const v = b[key];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new InvalidParamsError(
          "logitBias",
          `value for token ${key} must be a finite number, got ${String(v)}`,
        );
      }
    }
  }
  if (p.samplers !== undefined) {
    const list = p.samplers;
    if (!Array.isArray(list)) throw new InvalidParamsError("samplers", "must be an array of stage names");
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      const name = list[i];
      if (typeof name !== "string" || !SAMPLER_NAMES.includes(name)) {
        throw new InvalidParamsError(
          "samplers",
          `unknown stage "${String(name)}"; known: ${SAMPLER_NAMES.join(", ")}`,
        );
      }
      if (seen.has(name)) throw new InvalidParamsError("samplers", `stage "${name}" appears twice`);
      seen.add(name);
      if ((name === "greedy" || name === "dist") && i !== list.length - 1) {
        throw new InvalidParamsError("samplers", `terminal stage "${name}" must be last`);
      }
    }
  }
}

/**
 * Validates `p` and returns a new object with every default filled in.
 *
 * @param p - Params (possibly partial).
 * @returns A complete params object; `samplers` ends with a terminal stage (`dist` appended when missing).
 * @throws {InvalidParamsError} as {@link validateSamplerParams}.
 *
 * @example
 * ```ts
 * resolveSamplerParams({ topK: 40 }).topP; // 1
 * ```
 */
export function resolveSamplerParams(p: SamplerParams): Required<SamplerParams> {
  validateSamplerParams(p);
  const d = DEFAULT_SAMPLER_PARAMS;
  let samplers = p.samplers !== undefined ? p.samplers.slice() : d.samplers.slice();
  const last = samplers[samplers.length - 1];
  if (last !== "dist" && last !== "greedy") samplers = samplers.concat("dist");
  return {
    temperature: p.temperature ?? d.temperature,
    topK: p.topK ?? d.topK,
    topP: p.topP ?? d.topP,
    minP: p.minP ?? d.minP,
    typicalP: p.typicalP ?? d.typicalP,
    topNSigma: p.topNSigma ?? d.topNSigma,
    repetitionPenalty: p.repetitionPenalty ?? d.repetitionPenalty,
    frequencyPenalty: p.frequencyPenalty ?? d.frequencyPenalty,
    presencePenalty: p.presencePenalty ?? d.presencePenalty,
    penaltyWindow: p.penaltyWindow ?? d.penaltyWindow,
    logitBias: { ...(p.logitBias ?? {}) },
    seed: p.seed ?? d.seed,
    samplers,
  };
}
