import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";
import type { SamplerParams } from "./samplerParams.js";

type NumberRule = { key: keyof SamplerParams; ok: (v: number) => boolean; rule: string };

// One line per numeric parameter of the second-round stages: its range, said the way the error says it.
const RULES: readonly NumberRule[] = [
  { key: "xtcProbability", ok: (v) => v >= 0 && v <= 1, rule: "must be in [0, 1] (0 = off)" },
  { key: "xtcThreshold", ok: (v) => v >= 0 && v <= 1, rule: "must be in [0, 1] (above 0.5 = off)" },
  {
    key: "dryMultiplier",
    ok: (v) => v >= 0 && Number.isFinite(v),
    rule: "must be a finite number ≥ 0 (0 = off)",
  },
  { key: "dryBase", ok: (v) => v >= 1 && Number.isFinite(v), rule: "must be a finite number ≥ 1" },
  { key: "dryAllowedLength", ok: (v) => Number.isInteger(v) && v >= 1, rule: "must be an integer ≥ 1" },
  {
    key: "dryPenaltyLastN",
    ok: (v) => Number.isInteger(v) && v >= -1,
    rule: "must be an integer ≥ −1 (−1 = the whole history, 0 = off)",
  },
  { key: "mirostat", ok: (v) => v === 0 || v === 1 || v === 2, rule: "must be 0 (off), 1 or 2" },
  { key: "mirostatTau", ok: (v) => v > 0 && Number.isFinite(v), rule: "must be a finite number > 0 (bits)" },
  { key: "mirostatEta", ok: (v) => v >= 0 && Number.isFinite(v), rule: "must be a finite number ≥ 0" },
  {
    key: "dynatempRange",
    ok: (v) => v >= 0 && Number.isFinite(v),
    rule: "must be a finite number ≥ 0 (0 = off)",
  },
  { key: "dynatempExponent", ok: (v) => v >= 0 && Number.isFinite(v), rule: "must be a finite number ≥ 0" },
  { key: "epsilonCutoff", ok: (v) => v >= 0 && v < 1, rule: "must be in [0, 1) (0 = off)" },
  { key: "etaCutoff", ok: (v) => v >= 0 && v < 1, rule: "must be in [0, 1) (0 = off)" },
  {
    key: "noRepeatNgramSize",
    ok: (v) => Number.isInteger(v) && v >= 0,
    rule: "must be an integer ≥ 0 (0 = off)",
  },
  { key: "minTokens", ok: (v) => Number.isInteger(v) && v >= 0, rule: "must be an integer ≥ 0 (0 = off)" },
];

/**
 * Checks the parameters of the second-round stages (XTC, DRY, mirostat, dynamic temperature, epsilon
 * and eta cutoffs, no-repeat-n-gram, banned sequences, min tokens); `validateSamplerParams` calls it.
 *
 * @param p - The params to check.
 * @throws {InvalidParamsError} naming the first offending parameter and its range.
 * @example
 * ```ts
 * checkAdvancedSamplerParams({ mirostat: 3 }); // throws: invalid parameter "mirostat": must be 0 (off), 1 or 2, got 3
 * ```
 */
export function checkAdvancedSamplerParams(p: SamplerParams): void {
  for (const { key, ok, rule } of RULES) {
    const v = p[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !ok(v))
      throw new InvalidParamsError(key, `${rule}, got ${describeValue(v)}`);
  }
  const breakers = p.drySequenceBreakers;
  if (breakers !== undefined && !(Array.isArray(breakers) && breakers.every((b) => typeof b === "string"))) {
    throw new InvalidParamsError(
      "drySequenceBreakers",
      `must be an array of strings, got ${describeValue(breakers)}`,
    );
  }
  const bans = p.bannedSequences;
  if (bans !== undefined) {
    if (!Array.isArray(bans)) {
      throw new InvalidParamsError(
        "bannedSequences",
        `must be an array of strings or token-id arrays, got ${describeValue(bans)}`,
      );
    }
    bans.forEach((b, i) => {
      const ok =
        typeof b === "string" ||
        (Array.isArray(b) && b.every((t) => typeof t === "number" && Number.isSafeInteger(t) && t >= 0));
      if (!ok) {
        throw new InvalidParamsError(
          "bannedSequences",
          `entry ${i} must be a string or an array of token ids (integers ≥ 0), got ${describeValue(b)}`,
        );
      }
    });
  }
}
