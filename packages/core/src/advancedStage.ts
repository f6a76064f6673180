import { InvalidParamsError } from "./errors.js";
import type { SamplerParams } from "./samplerParams.js";
import type { SamplerStage } from "./samplerStage.js";
import { bannedSequences } from "./samplers/bannedSequences.js";
import { dry } from "./samplers/dry.js";
import { drySequenceBreakers } from "./samplers/drySequenceBreakers.js";
import { dynamicTemperature } from "./samplers/dynamicTemperature.js";
import { epsilonCutoff } from "./samplers/epsilonCutoff.js";
import { etaCutoff } from "./samplers/etaCutoff.js";
import { minTokens } from "./samplers/minTokens.js";
import { mirostat } from "./samplers/mirostat.js";
import { mirostatV2 } from "./samplers/mirostatV2.js";
import { noRepeatNgram } from "./samplers/noRepeatNgram.js";
import { xtc } from "./samplers/xtc.js";
import type { Tokenizer } from "./types.js";

/** What the second-round stages need besides the params: the model's tokenizer and end-of-sequence ids. */
export interface StageEnvironment {
  /** Encodes `drySequenceBreakers` and string `bannedSequences`. */
  tokenizer?: Tokenizer;
  /** The end-of-sequence token ids `minTokens` holds back. */
  eosIds?: readonly number[];
}

/**
 * Builds the second-round stage named `name` from resolved params (undefined for a first-round name);
 * `"temperature"` becomes the dynamic temperature when `dynatempRange > 0`.
 *
 * @param name - A stage name from `SAMPLER_NAMES`.
 * @param p - Resolved params.
 * @param env - Tokenizer and EOS ids (see {@link StageEnvironment}).
 * @returns The stage, or undefined when `name` is not one of these.
 * @throws {InvalidParamsError} when a string parameter needs a tokenizer or `minTokens` needs EOS ids
 * and they were not given.
 * @example
 * ```ts
 * advancedStage("xtc", resolveSamplerParams({ xtcProbability: 0.5 }), {})?.name; // "xtc"
 * ```
 */
export function advancedStage(
  name: string,
  p: Required<SamplerParams>,
  env: StageEnvironment,
): SamplerStage | undefined {
  switch (name) {
    case "temperature":
      return p.dynatempRange > 0
        ? dynamicTemperature({
            temperature: p.temperature,
            range: p.dynatempRange,
            exponent: p.dynatempExponent,
          })
        : undefined;
    case "xtc":
      return xtc({ probability: p.xtcProbability, threshold: p.xtcThreshold });
    case "epsilon_cutoff":
      return epsilonCutoff(p.epsilonCutoff);
    case "eta_cutoff":
      return etaCutoff(p.etaCutoff);
    case "no_repeat_ngram":
      return noRepeatNgram(p.noRepeatNgramSize);
    case "mirostat":
      return mirostat({ tau: p.mirostatTau, eta: p.mirostatEta });
    case "mirostat_v2":
      return mirostatV2({ tau: p.mirostatTau, eta: p.mirostatEta });
    case "dry":
      return dry({
        multiplier: p.dryMultiplier,
        base: p.dryBase,
        allowedLength: p.dryAllowedLength,
        penaltyLastN: p.dryPenaltyLastN,
        // Without a tokenizer (a batch of rows) the string breakers cannot be matched: DRY runs without them.
        sequenceBreakers:
          p.dryMultiplier > 0 && env.tokenizer !== undefined && p.drySequenceBreakers.length > 0
            ? drySequenceBreakers(p.drySequenceBreakers, env.tokenizer)
            : [],
      });
    case "banned_sequences":
      return bannedSequences(
        p.bannedSequences,
        env.tokenizer !== undefined ? { tokenizer: env.tokenizer } : {},
      );
    case "min_tokens":
      if (p.minTokens > 0 && (env.eosIds === undefined || env.eosIds.length === 0)) {
        throw new InvalidParamsError(
          "minTokens",
          "needs the end-of-sequence token id(s): pass eosIds to createSampler (generate passes the model's eosId)",
        );
      }
      return minTokens(p.minTokens, env.eosIds ?? []);
    default:
      return undefined;
  }
}
