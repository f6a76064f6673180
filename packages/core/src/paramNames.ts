import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";
import { DEFAULT_SAMPLER_PARAMS, type SamplerParams } from "./samplerParams.js";

/**
 * OpenAI/vLLM names whose camelCase form is not their mechanical one: `top_logprobs` (chat
 * completions) is our `logprobs` count, and `max_completion_tokens` (the newer OpenAI name) is
 * `maxTokens`. Every other snake_case name maps mechanically (`top_p` → `topP`).
 */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  top_logprobs: "logprobs",
  max_completion_tokens: "maxTokens",
});

/** Keys that would reach an object's prototype when assigned: never accepted as parameter names. */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The camelCase form of one parameter name: snake_case is converted (`top_p` → `topP`,
 * `top_n_sigma` → `topNSigma`, `max_tokens` → `maxTokens`), the OpenAI aliases are resolved
 * (`top_logprobs` → `logprobs`, `max_completion_tokens` → `maxTokens`), and a camelCase name comes
 * back unchanged.
 *
 * @param name - A parameter name as a user wrote it.
 * @returns The name the TypeScript API uses.
 *
 * @example
 * ```ts
 * camelCaseName("frequency_penalty"); // "frequencyPenalty"
 * camelCaseName("topK");              // "topK"
 * ```
 */
export function camelCaseName(name: string): string {
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  if (!name.includes("_")) return name;
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The snake_case form of one camelCase parameter name (`topNSigma` → `top_n_sigma`, `logitBias` →
 * `logit_bias`): the names printed in JSON output and accepted back by {@link fromSnakeCaseParams}.
 *
 * @param name - A camelCase name.
 * @returns Its snake_case form.
 *
 * @example
 * ```ts
 * snakeCaseName("repetitionPenalty"); // "repetition_penalty"
 * ```
 */
export function snakeCaseName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The one converter from request parameters written either way — camelCase (`topP`, `maxTokens`) or
 * OpenAI/vLLM snake_case (`top_p`, `max_tokens`, `frequency_penalty`, `logit_bias`, `stop`, `seed`,
 * `logprobs`, `top_logprobs`, and the snake_case form of every other parameter) — to the camelCase
 * object the TypeScript API takes. Frames, HTTP bodies and the API all go through it.
 *
 * Rules:
 * - each key becomes {@link camelCaseName}(key); values are copied as they are (`logit_bias` keys are
 *   token ids either way); the result is a fresh plain object;
 * - the same parameter given twice (`top_p` and `topP`, or `logprobs: 5` and `top_logprobs: 3`) is an
 *   error, whatever the values;
 * - OpenAI chat's boolean `logprobs` is dropped: every token record already carries the sampled token's
 *   logprob, and the top-N count comes from `top_logprobs`;
 * - names are not checked against a list here (that is the job of the function the object goes to,
 *   e.g. `validateSamplerParams`, which rejects unknown names); `__proto__`, `constructor` and
 *   `prototype` are rejected.
 *
 * @param input - A plain object or a Map with string keys (a decoded msgpack map).
 * @returns A new object with camelCase keys.
 * @throws {InvalidParamsError} when `input` is not an object, a name is given twice, or a name is forbidden.
 *
 * @example
 * ```ts
 * fromSnakeCaseParams({ top_p: 0.9, max_tokens: 16, logprobs: true, top_logprobs: 2 });
 * // { topP: 0.9, maxTokens: 16, logprobs: 2 }
 * ```
 */
export function fromSnakeCaseParams(input: unknown): Record<string, unknown> {
  const entries = paramEntries(input);
  const out: Record<string, unknown> = {};
  const from = new Map<string, string>();
  for (const [key, value] of entries) {
    if (FORBIDDEN.has(key)) throw new InvalidParamsError(key, "is not a parameter name");
    if (key === "logprobs" && typeof value === "boolean") continue;
    const name = camelCaseName(key);
    if (FORBIDDEN.has(name)) throw new InvalidParamsError(key, "is not a parameter name");
    const earlier = from.get(name);
    if (earlier !== undefined) {
      throw new InvalidParamsError(
        name,
        `given twice, as "${earlier}" and "${key}"; give it once (camelCase or snake_case)`,
      );
    }
    from.set(name, key);
    out[name] = value;
  }
  return out;
}

/**
 * The snake_case form of a camelCase params object (keys only; values copied), as JSON output prints
 * it. `fromSnakeCaseParams(toSnakeCaseParams(p))` is `p` for every `SamplerParams`.
 *
 * @param params - camelCase params.
 * @returns A new object with snake_case keys.
 *
 * @example
 * ```ts
 * toSnakeCaseParams({ topP: 0.9, logitBias: { "7": -5 } }); // { top_p: 0.9, logit_bias: { "7": -5 } }
 * ```
 */
export function toSnakeCaseParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = snakeCaseName(key);
    if (FORBIDDEN.has(name)) throw new InvalidParamsError(key, "is not a parameter name");
    out[name] = value;
  }
  return out;
}

/** What {@link splitSamplerParams} returns. */
export interface SplitParams {
  /** The sampler's own parameters (the keys of `SamplerParams`), not yet validated. */
  sampler: SamplerParams;
  /** Everything else (request options such as `maxTokens`, `stop`, `logprobs`), camelCase. */
  rest: Record<string, unknown>;
}

/**
 * Converts a request's parameters with {@link fromSnakeCaseParams} and splits them into the sampler's
 * parameters and the rest (request options such as `maxTokens`, `stop`, `logprobs`), so an HTTP body in
 * OpenAI's shape can feed `createSampler` and a generate call.
 *
 * @param input - A plain object or a Map with string keys.
 * @returns `{ sampler, rest }`; neither part is validated (the function each goes to does that).
 * @throws {InvalidParamsError} as {@link fromSnakeCaseParams}.
 *
 * @example
 * ```ts
 * splitSamplerParams({ temperature: 0.7, max_tokens: 8 });
 * // { sampler: { temperature: 0.7 }, rest: { maxTokens: 8 } }
 * ```
 */
export function splitSamplerParams(input: unknown): SplitParams {
  const all = fromSnakeCaseParams(input);
  const sampler: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (Object.hasOwn(DEFAULT_SAMPLER_PARAMS, key)) sampler[key] = value;
    else rest[key] = value;
  }
  return { sampler: sampler as SamplerParams, rest };
}

function paramEntries(input: unknown): [string, unknown][] {
  if (input instanceof Map) {
    const out: [string, unknown][] = [];
    for (const [k, v] of input) {
      if (typeof k !== "string") {
        throw new InvalidParamsError("params", `keys must be strings, got ${describeValue(k)}`);
      }
      out.push([k, v]);
    }
    return out;
  }
  if (input === null || typeof input !== "object" || Array.isArray(input) || ArrayBuffer.isView(input)) {
    throw new InvalidParamsError(
      "params",
      `must be an object of named parameters, got ${describeValue(input)}`,
    );
  }
  return Object.entries(input);
}
