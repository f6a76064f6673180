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

/** Per-row arrays (one entry per row, or a row's own elements for `probs`): concatenated as they are. */
const ROW_ARRAYS = [
  "tokens",
  "logprobs",
  "ranks",
  "entropies",
  "processedLogprobs",
  "probs",
  "kls",
  "top1Base",
  "top1New",
  "pBase",
  "pNew",
  "targets",
] as const satisfies readonly (keyof TaskOutput)[];

type Concatenable = Int32Array | Float64Array | Float32Array;

/**
 * The outputs of a batch's uniform runs (see `uniformRuns`), computed one after another, as the output
 * of the whole batch: per-row arrays and record bytes concatenated in row order, `vocab` 0 and the
 * batch's `offsets` (where each row's `probs` are). Top-N arrays get one width for every row, the widest
 * run's (`min(N, longest row)`), with a shorter row's missing entries -1 / NaN.
 */
export function mergeRuns(
  batch: { firstRow: number; rows: number; offsets?: Int32Array | undefined },
  outputs: readonly TaskOutput[],
): TaskOutput {
  const first = outputs[0]!;
  const out: TaskOutput = {
    kind: first.kind,
    firstRow: batch.firstRow,
    rows: batch.rows,
    vocab: 0,
    errors: [],
  };
  if (batch.offsets !== undefined) out.offsets = batch.offsets;
  for (const o of outputs) for (const e of o.errors) out.errors.push(e);
  for (const key of ROW_ARRAYS) {
    if (first[key] === undefined) continue;
    (out as unknown as Record<string, Concatenable>)[key] = concatArrays(
      outputs.map((o) => o[key] as Concatenable),
    );
  }
  if (first.topTokens !== undefined && first.topLogprobs !== undefined) {
    const width = Math.max(...outputs.map((o) => o.topTokens!.length / o.rows));
    const ids = new Int32Array(batch.rows * width).fill(-1);
    const lps = new Float64Array(batch.rows * width).fill(Number.NaN);
    let row = 0;
    for (const o of outputs) {
      const n = o.topTokens!.length / o.rows;
      for (let r = 0; r < o.rows; r++, row++) {
        ids.set(o.topTokens!.subarray(r * n, (r + 1) * n), row * width);
        lps.set(o.topLogprobs!.subarray(r * n, (r + 1) * n), row * width);
      }
    }
    out.topTokens = ids;
    out.topLogprobs = lps;
  }
  if (first.bytes !== undefined) out.bytes = concatArrays(outputs.map((o) => o.bytes!));
  return out;
}

/** Arrays of one type, one after another. */
function concatArrays<A extends Concatenable | Uint8Array>(parts: readonly A[]): A {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const result = new (parts[0]!.constructor as new (n: number) => A)(n);
  let at = 0;
  for (const p of parts) {
    result.set(p as never, at);
    at += p.length;
  }
  return result;
}
