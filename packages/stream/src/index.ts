// Public surface of @logitstream/stream: named re-exports only (docs/CONVENTIONS.md).

export type { FromAsyncIterableOptions } from "./adapters/fromAsyncIterable.js";
export { fromAsyncIterable } from "./adapters/fromAsyncIterable.js";
export type { FromReadableOptions } from "./adapters/fromReadable.js";
export { fromReadable, fromReadableBatches } from "./adapters/fromReadable.js";
export { toMsgpackReadable } from "./adapters/toMsgpackReadable.js";
export type { ToRecordsReadableOptions } from "./adapters/toNdjsonReadable.js";
export { toNdjsonReadable } from "./adapters/toNdjsonReadable.js";
export type { ToReadableOptions } from "./adapters/toReadable.js";
export { toRecord } from "./adapters/toRecord.js";
export { toTextReadable } from "./adapters/toTextReadable.js";
// Errors and event types.
export { InvalidUtf8Error, SourceError, StreamUsageError } from "./errors.js";
export type { GenerateOptions, TokenSampler } from "./generate.js";
// The autoregressive loop.
export { generate } from "./generate.js";
export type { DecodeTextOptions } from "./operators/decodeText.js";
// Operators (one per file), composable with pipe().
export { decodeText } from "./operators/decodeText.js";
export type { SampleTokensOptions, SamplingPool } from "./operators/sampleTokens.js";
export { sampleTokens } from "./operators/sampleTokens.js";
export type { ScoreEvent, ScoreTokensOptions } from "./operators/scoreTokens.js";
export { scoreTokens } from "./operators/scoreTokens.js";
export type { ProbsEvent, SoftmaxFramesOptions } from "./operators/softmaxFrames.js";
export { softmaxFrames } from "./operators/softmaxFrames.js";
export type { StopWhenOptions } from "./operators/stopWhen.js";
export { stopWhen } from "./operators/stopWhen.js";
export type { Pacer } from "./pacer.js";
// Backpressure and adapters.
export { createPacer } from "./pacer.js";
export type {
  BatchFrame,
  FinishReason,
  LogitFrame,
  RowFrame,
  StopInfo,
  TextEvent,
  TokenEvent,
  TopLogprob,
} from "./types.js";
