import type { SamplerParams } from "@logitstream/core";
import { addAdvancedSamplerParams } from "./advancedSamplingFlags.js";
import { UsageError } from "./errors.js";
import { int, num, type ParsedArgs, str } from "./flags.js";

/**
 * Core's SamplerParams, from the sampling flags. Only syntax is checked here (a number is a number);
 * ranges are checked by core's validateSamplerParams, whose InvalidParamsError is reported against the
 * flag (exit 2).
 */
export type CliSamplerParams = SamplerParams;

export function samplerParamsFrom(args: ParsedArgs): CliSamplerParams {
  const p: CliSamplerParams = {};
  const set = <K extends keyof CliSamplerParams>(key: K, v: CliSamplerParams[K] | undefined): void => {
    if (v !== undefined) p[key] = v;
  };
  set("temperature", num(args, "temperature"));
  set("topK", int(args, "top-k", Number.MIN_SAFE_INTEGER));
  set("topP", num(args, "top-p"));
  set("minP", num(args, "min-p"));
  set("typicalP", num(args, "typical-p"));
  set("topNSigma", num(args, "top-n-sigma"));
  set("repetitionPenalty", num(args, "repetition-penalty"));
  set("frequencyPenalty", num(args, "frequency-penalty"));
  set("presencePenalty", num(args, "presence-penalty"));
  set("penaltyWindow", int(args, "penalty-window", 0));
  set("seed", int(args, "seed", 0, 0xffffffff));
  const bias = str(args, "logit-bias");
  if (bias !== undefined) p.logitBias = parseLogitBias(bias);
  const samplers = str(args, "samplers");
  if (samplers !== undefined) {
    const list = samplers
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (list.length === 0)
      throw new UsageError("--samplers: expected a comma-separated list of stages", "--samplers");
    p.samplers = list;
  }
  addAdvancedSamplerParams(args, p);
  return p;
}

/** `ID:BIAS,ID:BIAS` (or `ID=BIAS`) → `{ "ID": BIAS }`. */
function parseLogitBias(text: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*[:=]\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Infinity)\s*$/.exec(part);
    if (!m)
      throw new UsageError(
        `--logit-bias: expected ID:BIAS pairs like 50256:-100, got "${part}"`,
        "--logit-bias",
      );
    out[m[1]!] = Number(m[2]);
  }
  return { ...out };
}
