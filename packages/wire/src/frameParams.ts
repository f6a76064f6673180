import {
  fromSnakeCaseParams,
  InvalidParamsError,
  type SamplerParams,
  validateSamplerParams,
} from "@logitstream/core";
import { WireError } from "./errors.js";

/**
 * Per-row sampler params carried by a frame: core's `SamplerParams` (one plain JSON-serializable
 * object, the same the CLI carries).
 */
export type FrameParams = SamplerParams;

const NUMERIC_KEYS = new Set([
  "temperature",
  "topK",
  "topP",
  "minP",
  "typicalP",
  "topNSigma",
  "repetitionPenalty",
  "frequencyPenalty",
  "presencePenalty",
  "penaltyWindow",
  "seed",
  "xtcProbability",
  "xtcThreshold",
  "dryMultiplier",
  "dryBase",
  "dryAllowedLength",
  "dryPenaltyLastN",
  "mirostat",
  "mirostatTau",
  "mirostatEta",
  "dynatempRange",
  "dynatempExponent",
  "epsilonCutoff",
  "etaCutoff",
  "noRepeatNgramSize",
  "minTokens",
]);

/** Bounds on the list-valued params a frame may carry (untrusted input: no unbounded copies). */
const MAX_LIST = 1024;
const MAX_TEXT = 1024;

/**
 * Checks untrusted `params` (a parsed JSON object or a decoded msgpack Map) and returns a fresh plain
 * object holding only the known keys. Copying, rather than returning the input, is what keeps
 * `__proto__`/`constructor` keys from ever reaching a consumer. Types are checked here, ranges by
 * core's `validateSamplerParams`; either failure is a WireError naming the frame (cause kept). Names may
 * be camelCase or OpenAI/vLLM snake_case (`top_p`, `logit_bias`): core's `fromSnakeCaseParams` converts
 * them, and the same parameter given both ways is an error.
 */
export function validateFrameParams(
  value: unknown,
  where: { frame: number; byteOffset: number },
): FrameParams {
  const given = entriesOf(value);
  if (given === null) {
    throw new WireError("E_WIRE_FIELD", "params must be an object (a JSON object or msgpack map)", where);
  }
  // Prototype keys are reported as the unknown names they are, before the converter sees them.
  for (const [key] of given) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") throw unknownParam(key, where);
  }
  let entries: [string, unknown][];
  try {
    entries = Object.entries(fromSnakeCaseParams(value));
  } catch (cause) {
    if (!(cause instanceof InvalidParamsError)) throw cause;
    throw new WireError("E_WIRE_FIELD", `params: ${cause.message}`, where, { cause });
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    if (NUMERIC_KEYS.has(key)) {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new WireError("E_WIRE_FIELD", `params.${key} must be a finite number`, where);
      }
      out[key] = v;
    } else if (key === "samplers") {
      if (!Array.isArray(v) || v.length > 64 || !v.every((s) => typeof s === "string" && s.length <= 64)) {
        throw new WireError(
          "E_WIRE_FIELD",
          "params.samplers must be an array of up to 64 stage names",
          where,
        );
      }
      out.samplers = [...v];
    } else if (key === "drySequenceBreakers") {
      if (
        !Array.isArray(v) ||
        v.length > MAX_LIST ||
        !v.every((b) => typeof b === "string" && b.length <= MAX_TEXT)
      ) {
        throw new WireError(
          "E_WIRE_FIELD",
          `params.drySequenceBreakers must be an array of up to ${MAX_LIST} strings`,
          where,
        );
      }
      out.drySequenceBreakers = [...v];
    } else if (key === "bannedSequences") {
      const ok =
        Array.isArray(v) &&
        v.length <= MAX_LIST &&
        v.every(
          (b) =>
            (typeof b === "string" && b.length <= MAX_TEXT) ||
            (Array.isArray(b) && b.length <= MAX_TEXT && b.every((t) => typeof t === "number")),
        );
      if (!ok) {
        throw new WireError(
          "E_WIRE_FIELD",
          `params.bannedSequences must be an array of up to ${MAX_LIST} strings or token-id arrays`,
          where,
        );
      }
      out.bannedSequences = (v as (string | number[])[]).map((b) => (typeof b === "string" ? b : [...b]));
    } else if (key === "logitBias") {
      const bias = entriesOf(v);
      if (bias === null) throw new WireError("E_WIRE_FIELD", "params.logitBias must be an object", where);
      const copy: Record<string, number> = {};
      for (const [id, b] of bias) {
        if (!/^(0|[1-9][0-9]{0,9})$/.test(id) || typeof b !== "number" || Number.isNaN(b)) {
          throw new WireError(
            "E_WIRE_FIELD",
            `params.logitBias must map token ids ("123") to numbers; got key ${JSON.stringify(id.slice(0, 32))}`,
            where,
          );
        }
        copy[id] = b;
      }
      out.logitBias = copy;
    } else {
      throw unknownParam(key, where);
    }
  }
  try {
    validateSamplerParams(out as FrameParams);
  } catch (cause) {
    if (!(cause instanceof InvalidParamsError)) throw cause;
    throw new WireError("E_WIRE_FIELD", `params: ${cause.message}`, where, { cause });
  }
  return out as FrameParams;
}

function unknownParam(key: string, where: { frame: number; byteOffset: number }): WireError {
  return new WireError(
    "E_WIRE_FIELD",
    `unknown sampler param ${JSON.stringify(key.slice(0, 64))}; known: ${[...NUMERIC_KEYS, "samplers", "logitBias", "drySequenceBreakers", "bannedSequences"].join(", ")}`,
    where,
  );
}

/** Own string-keyed entries of a plain object or a Map with string keys; null for anything else. */
function entriesOf(value: unknown): [string, unknown][] | null {
  if (value instanceof Map) {
    const out: [string, unknown][] = [];
    for (const [k, v] of value) {
      if (typeof k !== "string") return null;
      out.push([k, v]);
    }
    return out;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value))
    return null;
  return Object.entries(value);
}
