// Public surface of @logitstream/stream: named re-exports only (docs/CONVENTIONS.md). Browser-safe:
// nothing here imports a Node module; the Node stream adapters are at "@logitstream/stream/node".

// Core's type (declared once there), re-exported where users imported it before.
export type { TopLogprob } from "@logitstream/core";
export type { FromAsyncIterableOptions } from "./adapters/fromAsyncIterable.js";
export { fromAsyncIterable } from "./adapters/fromAsyncIterable.js";
export type { ToAsyncIterableOptions } from "./adapters/toAsyncIterable.js";
export { toAsyncIterable } from "./adapters/toAsyncIterable.js";
export { toRecord } from "./adapters/toRecord.js";
// Errors and event types.
export { InvalidUtf8Error, SourceError, StreamUsageError } from "./errors.js";
export type { GenerateOptions, TokenSampler } from "./generate.js";
// The autoregressive loop.
export { generate } from "./generate.js";
export type {
  GenerateCallbacks,
  GenerateWithCallbacksOptions,
  GenerationHandle,
} from "./generateWithCallbacks.js";
export { generateWithCallbacks } from "./generateWithCallbacks.js";
export type { GuidedSourceOptions } from "./guidedSource.js";
export { guidedSource } from "./guidedSource.js";
export { isFinishEvent } from "./isFinishEvent.js";
export type { CutAtStopSequencesOptions } from "./operators/cutAtStopSequences.js";
export { cutAtStopSequences } from "./operators/cutAtStopSequences.js";
export type { Decoded, DecodeTextOptions } from "./operators/decodeText.js";
// Operators (one per file), composable with pipe().
export { decodeText } from "./operators/decodeText.js";
export { openAILogprobs } from "./operators/openAILogprobs.js";
export type { SampleTokensOptions, SamplingPool } from "./operators/sampleTokens.js";
export { sampleTokens } from "./operators/sampleTokens.js";
export type { ScoreEvent, ScoreTokensOptions } from "./operators/scoreTokens.js";
export { scoreTokens } from "./operators/scoreTokens.js";
export type { ProbsEvent, SoftmaxFramesOptions } from "./operators/softmaxFrames.js";
export { softmaxFrames } from "./operators/softmaxFrames.js";
export type { StopWhenOptions } from "./operators/stopWhen.js";
export { stopWhen } from "./operators/stopWhen.js";
export type { TakeTokensOptions } from "./operators/takeTokens.js";
export { takeTokens } from "./operators/takeTokens.js";
export type { Pacer } from "./pacer.js";
// Backpressure and adapters.
export { createPacer } from "./pacer.js";
export type { SpeculativeGenerateOptions } from "./speculativeGenerate.js";
export { speculativeGenerate } from "./speculativeGenerate.js";
export type { LogprobEventLike, OpenAITokenLogprob, OpenAITopLogprob } from "./toOpenAILogprob.js";
export { OPENAI_MIN_LOGPROB, toOpenAILogprob } from "./toOpenAILogprob.js";
export type {
  BatchFrame,
  FinishEvent,
  FinishReason,
  GenerateEvent,
  IterableObservable,
  LogitFrame,
  RowFrame,
  StopInfo,
  StopReason,
  TextEvent,
  TokenEvent,
} from "./types.js";
