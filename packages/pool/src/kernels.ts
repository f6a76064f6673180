import type {
  CompareRowsOptions,
  LogitRowView,
  RowComparison,
  SampleBatchResult,
  ScoreBatchResult,
  TopLogprobsOptions,
} from "@logitstream/core";
import type { ByteChunkLike, OutputFormat, RowBatchLike, SamplerParamsLike } from "./protocol.js";

/** The core's batch result shapes, returned as they are by the pool's promise form. */
export type { SampleBatchResult, ScoreBatchResult };

/** A batch result as a kernel returns it: the core's shape, with errors of any class (stand-in kernels). */
type KernelResult<R extends { errors: unknown[] }> = Omit<R, "errors"> & { errors: Error[] };
type KernelSampleResult = KernelResult<SampleBatchResult>;
type KernelScoreResult = KernelResult<ScoreBatchResult>;

/**
 * The functions a task needs, from @logitstream/core and @logitstream/wire (signatures of
 * docs/ARCHITECTURE.md). `runTask` takes them as a parameter so the worker entry can import exactly
 * these and nothing else, and so the pool's own machinery tests can run stand-in kernels.
 */
export interface Kernels {
  sampleBatch(
    data: Float32Array,
    rows: number,
    vocab: number,
    params: SamplerParamsLike | readonly SamplerParamsLike[],
    opts: { firstRow: number; logprobs: number; processed: boolean; onError: "throw" | "skip" },
  ): KernelSampleResult;
  scoreBatch(
    data: Float32Array,
    rows: number,
    vocab: number,
    targets: Int32Array | null,
    opts: { firstRow: number; top: number; onError: "throw" | "skip" },
  ): KernelScoreResult;
  softmaxBatch(
    data: Float32Array,
    rows: number,
    vocab: number,
    out: Float32Array,
    opts: { log: boolean; temperature: number; firstRow: number },
  ): void;
  topLogprobs(options: TopLogprobsOptions): void;
  compareRowsStrided(base: LogitRowView, next: LogitRowView, opts: CompareRowsOptions): RowComparison;
  /** wire's `decodeChunkPrefix`: the rows before the first bad frame, and that frame's error. */
  decodeChunkPrefix(
    chunk: ByteChunkLike,
    opts?: { data?: (elements: number) => Float32Array; ragged?: boolean },
  ): { batch: RowBatchLike & { errors?: Error[] }; error?: Error };
  encodeRecords(records: readonly object[], format: OutputFormat): Uint8Array;
}
