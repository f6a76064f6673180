import { compareRowsStrided, sampleBatch, scoreBatch, softmaxBatch, topLogprobs } from "@logitstream/core";
import { encodeRecords } from "@logitstream/wire";
import { decodeChunkPrefix } from "@logitstream/wire/decode";
import type { Kernels } from "./kernels.js";

/**
 * The production kernels: @logitstream/core's batch APIs, wire's chunk decoder (its lean worker entry)
 * and wire's record encoder. The worker entry and the inline path both use exactly these, so both give
 * the same bytes.
 */
export const defaultKernels: Kernels = {
  sampleBatch: (data, rows, vocab, params, opts) => sampleBatch(data, rows, vocab, params as never, opts),
  scoreBatch,
  softmaxBatch,
  topLogprobs,
  compareRowsStrided,
  decodeChunkPrefix: (chunk, opts) => decodeChunkPrefix(chunk as never, opts),
  encodeRecords: (records, format) => encodeRecords(records as never, format),
};
