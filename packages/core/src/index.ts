// Public surface of @logitstream/core: named re-exports only (docs/CONVENTIONS.md).

export { auxUniform } from "./auxUniform.js";
export type { CandidateSet } from "./candidateEdits.js";
export { filterCandidates, updateLogits } from "./candidateEdits.js";
export type { Candidates } from "./candidates.js";
// createCandidates / loadCandidates: for applying stages to a row by hand (stage tests, traces).
export { createCandidates, loadCandidates } from "./candidates.js";
export { checkCount, MAX_TOP_N, MAX_VOCAB } from "./checkCount.js";
export type { CompareRowsOptions, LogitRowView, RowComparison } from "./compareRows.js";
export { compareRows, compareRowsStrided } from "./compareRows.js";
export type { ComparisonStats, ComparisonSummary, Distribution } from "./comparisonStats.js";
export { createComparisonStats } from "./comparisonStats.js";
export type {
  CreateSamplerOptions,
  SampleOptions,
  SampleResult,
  Sampler,
  SamplerState,
  StageInsertion,
  TopLogprob,
} from "./createSampler.js";
export { createSampler } from "./createSampler.js";
export type { CrossEntropyStridedOptions } from "./crossEntropy.js";
export { crossEntropy, crossEntropyStrided } from "./crossEntropy.js";
export { describeValue } from "./describeValue.js";
export { entropy, entropyStrided } from "./entropy.js";
export {
  AbortedError,
  EmptyCandidatesError,
  InvalidLogitsError,
  InvalidParamsError,
  InvalidTargetError,
  LogitOverflowError,
  LogitstreamError,
} from "./errors.js";
export { guidance } from "./guidance.js";
export { decodeHalf } from "./kernels/decodeHalf.js";
export { kernelBackend } from "./kernels/dispatch.js";
export type { HalfRowScore } from "./kernels/scoreHalfRow.js";
export { scoreHalfRow } from "./kernels/scoreHalfRow.js";
export { topPNucleus } from "./kernels/topPNucleus.js";
export type { KlDivergenceStridedOptions } from "./klDivergence.js";
export { klDivergence, klDivergenceStrided } from "./klDivergence.js";
export type { LmHead, LmHeadOptions } from "./lmHead.js";
export { createLmHead } from "./lmHead.js";
export { logSoftmax, logSoftmaxStrided } from "./logSoftmax.js";
export { logSumExp, logSumExpStrided } from "./logSumExp.js";
export type { SplitParams } from "./paramNames.js";
export {
  camelCaseName,
  fromSnakeCaseParams,
  snakeCaseName,
  splitSamplerParams,
  toSnakeCaseParams,
} from "./paramNames.js";
export { perplexity } from "./perplexity.js";
export { philox4x32, uniform } from "./rng.js";
export type { SampleBatchOptions, SampleBatchResult } from "./sampleBatch.js";
export { sampleBatch } from "./sampleBatch.js";
export type { SamplerParams } from "./samplerParams.js";
export {
  DEFAULT_SAMPLER_PARAMS,
  resolveSamplerParams,
  SAMPLER_NAMES,
  validateSamplerParams,
} from "./samplerParams.js";
export type { SamplerScratch, SamplerStage, SamplingContext } from "./samplerStage.js";
export { createSamplingContext } from "./samplerStage.js";
export { bannedSequences } from "./samplers/bannedSequences.js";
export { dist } from "./samplers/dist.js";
export type { DryOptions } from "./samplers/dry.js";
export { dry } from "./samplers/dry.js";
export { drySequenceBreakers } from "./samplers/drySequenceBreakers.js";
export type { DynamicTemperatureOptions } from "./samplers/dynamicTemperature.js";
export { dynamicTemperature } from "./samplers/dynamicTemperature.js";
export { epsilonCutoff } from "./samplers/epsilonCutoff.js";
export { etaCutoff } from "./samplers/etaCutoff.js";
export { greedy } from "./samplers/greedy.js";
export { logitBias } from "./samplers/logitBias.js";
export { minP } from "./samplers/minP.js";
export { minTokens } from "./samplers/minTokens.js";
export type { MirostatOptions, MirostatStage } from "./samplers/mirostat.js";
export { mirostat } from "./samplers/mirostat.js";
export { mirostatV2 } from "./samplers/mirostatV2.js";
export { noRepeatNgram } from "./samplers/noRepeatNgram.js";
export type { PenaltiesOptions } from "./samplers/penalties.js";
export { penalties } from "./samplers/penalties.js";
export { temperature } from "./samplers/temperature.js";
export { topK } from "./samplers/topK.js";
export { topNSigma } from "./samplers/topNSigma.js";
export { topP } from "./samplers/topP.js";
export { typicalP } from "./samplers/typicalP.js";
export type { XtcOptions } from "./samplers/xtc.js";
export { xtc } from "./samplers/xtc.js";
export type { ScoreBatchOptions, ScoreBatchResult } from "./scoreBatch.js";
export { scoreBatch } from "./scoreBatch.js";
export type { SoftmaxOptions, SoftmaxStridedOptions } from "./softmax.js";
export { softmax, softmaxStrided } from "./softmax.js";
export type { SoftmaxBackwardStridedOptions } from "./softmaxBackward.js";
export { softmaxBackward, softmaxBackwardStrided } from "./softmaxBackward.js";
export type { SoftmaxBatchOptions } from "./softmaxBatch.js";
export { softmaxBatch } from "./softmaxBatch.js";
export { MAX_JACOBIAN_VOCAB, softmaxJacobian } from "./softmaxJacobian.js";
export type { SpeculativeAcceptOptions, SpeculativeAcceptResult } from "./speculativeAccept.js";
export { speculativeAccept } from "./speculativeAccept.js";
export { keepsEveryCandidate } from "./stageFastPath.js";
export type { StridedRow } from "./stridedRow.js";
export type { TopLogprobsOptions } from "./topLogprobs.js";
export { topLogprobs } from "./topLogprobs.js";
export type { AbortSignalLike, LogitSource, Tokenizer } from "./types.js";
