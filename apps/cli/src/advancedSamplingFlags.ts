import type { SamplerParams } from "@logitstream/core";
import { UsageError } from "./errors.js";
import { type FlagSpec, int, list, num, type ParsedArgs } from "./flags.js";

/**
 * The flags of the second-round sampler stages (XTC, DRY, mirostat, dynamic temperature, epsilon/eta,
 * n-gram and sequence bans, min tokens), llama.cpp's names where llama.cpp has the sampler.
 */
export const advancedSamplingFlags: readonly FlagSpec[] = [
  {
    name: "xtc-probability",
    kind: "string",
    placeholder: "P",
    defaultText: "0 = off",
    description: "XTC: chance per step of removing the top choices",
  },
  {
    name: "xtc-threshold",
    kind: "string",
    placeholder: "T",
    defaultText: "0.1",
    description: "XTC: tokens with p ≥ T are top choices (> 0.5 = off)",
  },
  {
    name: "dry-multiplier",
    kind: "string",
    placeholder: "M",
    defaultText: "0 = off",
    description: "DRY repetition penalty scale",
  },
  {
    name: "dry-base",
    kind: "string",
    placeholder: "B",
    defaultText: "1.75",
    description: "DRY: penalty M · B^(length − allowed)",
  },
  {
    name: "dry-allowed-length",
    kind: "string",
    placeholder: "N",
    defaultText: "2",
    description: "DRY: repeats up to N tokens are free",
  },
  {
    name: "dry-penalty-last-n",
    kind: "string",
    placeholder: "N",
    defaultText: "-1 = all",
    description: "DRY: how many recent tokens to scan (0 = off)",
  },
  {
    name: "dry-sequence-breaker",
    kind: "string",
    multiple: true,
    placeholder: "S",
    defaultText: '"\\n" ":" "\\"" "*"',
    description: 'DRY: a string that ends a repeat (repeatable; replaces the defaults; "none" = no breakers)',
  },
  {
    name: "mirostat",
    kind: "string",
    placeholder: "N",
    defaultText: "0 = off",
    description: "mirostat version 1 or 2 (replaces dist)",
  },
  {
    name: "mirostat-lr",
    kind: "string",
    placeholder: "ETA",
    defaultText: "0.1",
    description: "mirostat learning rate η",
  },
  {
    name: "mirostat-ent",
    kind: "string",
    placeholder: "TAU",
    defaultText: "5",
    description: "mirostat target surprise τ (bits)",
  },
  {
    name: "dynatemp-range",
    kind: "string",
    placeholder: "D",
    defaultText: "0 = off",
    description: "dynamic temperature: T ± D by the entropy",
  },
  {
    name: "dynatemp-exp",
    kind: "string",
    placeholder: "E",
    defaultText: "1",
    description: "dynamic temperature exponent",
  },
  {
    name: "epsilon-cutoff",
    kind: "string",
    placeholder: "E",
    defaultText: "0 = off",
    description: "drop tokens with p < E",
  },
  {
    name: "eta-cutoff",
    kind: "string",
    placeholder: "E",
    defaultText: "0 = off",
    description: "drop tokens with p < min(E, √E·e^−H)",
  },
  {
    name: "no-repeat-ngram-size",
    kind: "string",
    placeholder: "N",
    defaultText: "0 = off",
    description: "never repeat an n-gram of N tokens",
  },
  {
    name: "banned-sequence",
    kind: "string",
    multiple: true,
    placeholder: "TEXT",
    description: "never generate TEXT (repeatable; needs a tokenizer)",
  },
  {
    name: "banned-ids",
    kind: "string",
    multiple: true,
    placeholder: "ID,…",
    description: "never generate this token-id sequence (repeatable)",
  },
  {
    name: "min-tokens",
    kind: "string",
    placeholder: "N",
    defaultText: "0",
    description: "the end-of-sequence token cannot come before N tokens",
  },
];

/**
 * Adds the parameters of {@link advancedSamplingFlags} that were given to `p`. Only syntax is checked
 * here; ranges are core's `validateSamplerParams` (reported against the flag, exit 2).
 */
export function addAdvancedSamplerParams(args: ParsedArgs, p: SamplerParams): void {
  const set = <K extends keyof SamplerParams>(key: K, v: SamplerParams[K] | undefined): void => {
    if (v !== undefined) p[key] = v;
  };
  set("xtcProbability", num(args, "xtc-probability"));
  set("xtcThreshold", num(args, "xtc-threshold"));
  set("dryMultiplier", num(args, "dry-multiplier"));
  set("dryBase", num(args, "dry-base"));
  set("dryAllowedLength", int(args, "dry-allowed-length", Number.MIN_SAFE_INTEGER));
  set("dryPenaltyLastN", int(args, "dry-penalty-last-n", Number.MIN_SAFE_INTEGER));
  const breakers = list(args, "dry-sequence-breaker");
  // llama.cpp's convention: "none" alone means no breakers; escapes \n, \t, \" and \\ are decoded.
  if (breakers.length > 0)
    p.drySequenceBreakers =
      breakers[0] === "none" && breakers.length === 1 ? [] : breakers.map(decodeEscapes);
  set("mirostat", int(args, "mirostat", Number.MIN_SAFE_INTEGER));
  set("mirostatEta", num(args, "mirostat-lr"));
  set("mirostatTau", num(args, "mirostat-ent"));
  set("dynatempRange", num(args, "dynatemp-range"));
  set("dynatempExponent", num(args, "dynatemp-exp"));
  set("epsilonCutoff", num(args, "epsilon-cutoff"));
  set("etaCutoff", num(args, "eta-cutoff"));
  set("noRepeatNgramSize", int(args, "no-repeat-ngram-size", Number.MIN_SAFE_INTEGER));
  set("minTokens", int(args, "min-tokens", Number.MIN_SAFE_INTEGER));
  const bans: (string | number[])[] = [...list(args, "banned-sequence").map(decodeEscapes)];
  for (const ids of list(args, "banned-ids")) bans.push(parseIds(ids));
  if (bans.length > 0) p.bannedSequences = bans;
}

function decodeEscapes(s: string): string {
  return s.replace(/\\(n|t|"|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

function parseIds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s))) {
    throw new UsageError(`--banned-ids: expected token ids like 13,198, got "${text}"`, "--banned-ids");
  }
  return parts.map(Number);
}

/**
 * Rejects, as flag errors (exit 2), the second-round parameters a batch of rows cannot honour: strings
 * to ban need a tokenizer, and min tokens needs an end-of-sequence token and a step count — both only
 * `generate` has.
 */
export function checkBatchSamplerParams(p: SamplerParams): void {
  if (p.bannedSequences?.some((b) => typeof b === "string")) {
    throw new UsageError(
      "--banned-sequence: rows have no tokenizer to encode text; give token ids with --banned-ids",
      "--banned-sequence",
    );
  }
  if (p.minTokens !== undefined && p.minTokens > 0) {
    throw new UsageError(
      "--min-tokens: rows have no end-of-sequence token or step count; it applies to generate",
      "--min-tokens",
    );
  }
}
