import { sampleBatch, scoreBatch, softmaxBatch, topLogprobs } from "@logitstream/core";
import { PoolError } from "./errors.js";
import type { Kernels } from "./kernels.js";

/**
 * The production kernels: @logitstream/core's batch APIs and @logitstream/wire's chunk decoder and
 * record encoder. The worker entry and the inline path both use exactly these.
 */
export const defaultKernels: Kernels = {
  sampleBatch: (data, rows, vocab, params, opts) => sampleBatch(data, rows, vocab, params as never, opts),
  scoreBatch,
  softmaxBatch,
  topLogprobs,
  // TODO(wire): replace with wire's decodeChunk / encodeRecords as soon as they land.
  decodeChunk: () => {
    throw new PoolError("E_NOT_READY", "byte chunks need @logitstream/wire's decodeChunk, not built yet");
  },
  encodeRecords: () => {
    throw new PoolError(
      "E_NOT_READY",
      "output records need @logitstream/wire's encodeRecords, not built yet",
    );
  },
};
