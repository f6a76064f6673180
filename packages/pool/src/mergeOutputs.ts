import type { LogitstreamError } from "@logitstream/core";
import type { SampleBatchResult, ScoreBatchResult } from "./kernels.js";
import type { TaskOutput } from "./protocol.js";
import { reviveError } from "./reviveError.js";

type ArrayKey =
  | "tokens"
  | "ranks"
  | "topTokens"
  | "logprobs"
  | "entropies"
  | "topLogprobs"
  | "processedLogprobs";

/** One field of the parts of a split batch, concatenated in row order (the part itself when there is one). */
function concat<A extends Int32Array | Float64Array>(
  outputs: readonly TaskOutput[],
  key: ArrayKey,
): A | undefined {
  const first = outputs[0]![key] as A | undefined;
  if (first === undefined || outputs.length === 1) return first;
  let n = 0;
  for (const o of outputs) n += (o[key] as A).length;
  const result = new (first.constructor as new (n: number) => A)(n);
  let at = 0;
  for (const o of outputs) {
    const a = o[key] as A;
    result.set(a as never, at);
    at += a.length;
  }
  return result;
}

function errorsOf(outputs: readonly TaskOutput[]): LogitstreamError[] {
  const errors: LogitstreamError[] = [];
  for (const o of outputs) for (const e of o.errors) errors.push(reviveError(e));
  return errors;
}

/** The parts of a split `sample` call as one core `SampleBatchResult`, rows in order. */
export function mergeSample(outputs: readonly TaskOutput[]): SampleBatchResult {
  const result: SampleBatchResult = {
    tokens: concat<Int32Array>(outputs, "tokens")!,
    logprobs: concat<Float64Array>(outputs, "logprobs")!,
    ranks: concat<Int32Array>(outputs, "ranks")!,
    errors: errorsOf(outputs),
  };
  const topTokens = concat<Int32Array>(outputs, "topTokens");
  const topLogprobs = concat<Float64Array>(outputs, "topLogprobs");
  const processed = concat<Float64Array>(outputs, "processedLogprobs");
  if (topTokens !== undefined) result.topTokens = topTokens;
  if (topLogprobs !== undefined) result.topLogprobs = topLogprobs;
  if (processed !== undefined) result.processedLogprobs = processed;
  return result;
}

/** The parts of a split `score` call as one core `ScoreBatchResult`, rows in order. */
export function mergeScore(outputs: readonly TaskOutput[]): ScoreBatchResult {
  const result: ScoreBatchResult = {
    logprobs: concat<Float64Array>(outputs, "logprobs")!,
    ranks: concat<Int32Array>(outputs, "ranks")!,
    entropies: concat<Float64Array>(outputs, "entropies")!,
    errors: errorsOf(outputs),
  };
  const topTokens = concat<Int32Array>(outputs, "topTokens");
  const topLogprobs = concat<Float64Array>(outputs, "topLogprobs");
  if (topTokens !== undefined) result.topTokens = topTokens;
  if (topLogprobs !== undefined) result.topLogprobs = topLogprobs;
  return result;
}
