import { checkAdvancedSamplerParams } from "./checkAdvancedSamplerParams.js";
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
  /** XTC: chance per step of removing the top choices, in [0, 1]; 0 = off. Default 0. */
  xtcProbability?: number;
  /** XTC: a token with p ≥ this is a top choice, in [0, 1]; above 0.5 = off. Default 0.1. */
  xtcThreshold?: number;
  /** DRY penalty scale, finite ≥ 0; 0 = off. Default 0. */
  dryMultiplier?: number;
  /** DRY growth per extra repeated token, finite ≥ 1. Default 1.75. */
  dryBase?: number;
  /** DRY: repeats up to this many tokens are free; integer ≥ 1. Default 2. */
  dryAllowedLength?: number;
  /** DRY: how many recent tokens to scan; integer ≥ −1 (−1 = all, 0 = off). Default −1. */
  dryPenaltyLastN?: number;
  /** DRY sequence breakers (strings, tokenized with the sampler's tokenizer). Default `["\n", ":", "\"", "*"]`. */
  drySequenceBreakers?: string[];
  /** Mirostat version: 0 = off, 1 or 2 (it then replaces `dist` as the terminal stage). Default 0. */
  mirostat?: number;
  /** Mirostat target surprise τ in bits, finite > 0. Default 5. */
  mirostatTau?: number;
  /** Mirostat learning rate η, finite ≥ 0. Default 0.1. */
  mirostatEta?: number;
  /** Dynamic temperature half-range δ: T moves in [T − δ, T + δ] with the entropy; 0 = off. Default 0. */
  dynatempRange?: number;
  /** Dynamic temperature exponent on the normalized entropy, finite ≥ 0. Default 1. */
  dynatempExponent?: number;
  /** Epsilon sampling: drop tokens with p < this, in [0, 1); 0 = off. Default 0. */
  epsilonCutoff?: number;
  /** Eta sampling ε: drop tokens with p < min(ε, √ε·e^−H), in [0, 1); 0 = off. Default 0. */
  etaCutoff?: number;
  /** Ban tokens that would repeat an n-gram of this size; integer ≥ 0, 0 = off. Default 0. */
  noRepeatNgramSize?: number;
  /** Sequences never to generate: strings (tokenized) or token-id arrays. Default none. */
  bannedSequences?: (string | number[])[];
  /** The end-of-sequence token(s) cannot be drawn before this many tokens; integer ≥ 0. Default 0. */
  minTokens?: number;
}

/** The stage names accepted in `samplers`, in the default order (the Hugging Face / vLLM order). */
export const SAMPLER_NAMES: readonly string[] = [
  "logit_bias",
  "min_tokens",
  "banned_sequences",
  "no_repeat_ngram",
  "penalties",
  "dry",
  "temperature",
  "top_k",
  "top_p",
  "min_p",
  "typical_p",
  "top_n_sigma",
  "epsilon_cutoff",
  "eta_cutoff",
  "xtc",
  "greedy",
  "dist",
  "mirostat",
  "mirostat_v2",
];

/** The stages that select the token (at most one, and last). */
const TERMINAL_NAMES: readonly string[] = ["greedy", "dist", "mirostat", "mirostat_v2"];

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
  // Every stage in the default order, with `dist` as the one terminal (no greedy, no mirostat).
  samplers: Object.freeze(
    SAMPLER_NAMES.filter((name) => name === "dist" || !TERMINAL_NAMES.includes(name)),
  ) as unknown as string[],
  xtcProbability: 0,
  xtcThreshold: 0.1,
  dryMultiplier: 0,
  dryBase: 1.75,
  dryAllowedLength: 2,
  dryPenaltyLastN: -1,
  drySequenceBreakers: Object.freeze(["\n", ":", '"', "*"]) as unknown as string[],
  mirostat: 0,
  mirostatTau: 5,
  mirostatEta: 0.1,
  dynatempRange: 0,
  dynatempExponent: 1,
  epsilonCutoff: 0,
  etaCutoff: 0,
  noRepeatNgramSize: 0,
  bannedSequences: Object.freeze([]) as unknown as (string | number[])[],
  minTokens: 0,
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
 * terminal (`greedy`, `dist`, `mirostat`, `mirostat_v2`) and only last; the second-round stages'
 * parameters in their ranges (`checkAdvancedSamplerParams`); no unknown fields.
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
      if (TERMINAL_NAMES.includes(name) && i !== list.length - 1) {
        throw new InvalidParamsError("samplers", `terminal stage "${name}" must be last`);
      }
    }
  }
  checkAdvancedSamplerParams(p);
  if (p.mirostat !== undefined && p.mirostat !== 0 && p.samplers?.includes("greedy")) {
    throw new InvalidParamsError(
      "mirostat",
      `mirostat ${p.mirostat} draws the token itself; it cannot end in "greedy"`,
    );
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
  if (!TERMINAL_NAMES.includes(last ?? "")) samplers = samplers.concat("dist");
  // mirostat: 1 | 2 makes the mirostat stage the terminal in place of dist (llama.cpp's --mirostat).
  const mirostat = p.mirostat ?? d.mirostat;
  if (mirostat !== 0 && samplers[samplers.length - 1] === "dist") {
    samplers[samplers.length - 1] = mirostat === 1 ? "mirostat" : "mirostat_v2";
  }
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
    xtcProbability: p.xtcProbability ?? d.xtcProbability,
    xtcThreshold: p.xtcThreshold ?? d.xtcThreshold,
    dryMultiplier: p.dryMultiplier ?? d.dryMultiplier,
    dryBase: p.dryBase ?? d.dryBase,
    dryAllowedLength: p.dryAllowedLength ?? d.dryAllowedLength,
    dryPenaltyLastN: p.dryPenaltyLastN ?? d.dryPenaltyLastN,
    drySequenceBreakers: (p.drySequenceBreakers ?? d.drySequenceBreakers).slice(),
    mirostat,
    mirostatTau: p.mirostatTau ?? d.mirostatTau,
    mirostatEta: p.mirostatEta ?? d.mirostatEta,
    dynatempRange: p.dynatempRange ?? d.dynatempRange,
    dynatempExponent: p.dynatempExponent ?? d.dynatempExponent,
    epsilonCutoff: p.epsilonCutoff ?? d.epsilonCutoff,
    etaCutoff: p.etaCutoff ?? d.etaCutoff,
    noRepeatNgramSize: p.noRepeatNgramSize ?? d.noRepeatNgramSize,
    bannedSequences: (p.bannedSequences ?? d.bannedSequences).map((b) =>
      typeof b === "string" ? b : b.slice(),
    ),
    minTokens: p.minTokens ?? d.minTokens,
  };
}
