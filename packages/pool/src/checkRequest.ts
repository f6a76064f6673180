import { checkCount, MAX_TOP_N, MAX_VOCAB } from "@logitstream/core";
import type { Job } from "./protocol.js";

/**
 * Checks the counts of a call on the calling thread, before a slab is staged or a task dispatched: the
 * job's top-N (`logprobs` of a sample job, `top` of a score or softmax job, at most `MAX_TOP_N`) and,
 * for a batch, `rows`, `vocab` (at most `MAX_VOCAB`) and `firstRow`. A count out of range, or not a
 * number at all (`logprobs: "5"`), is core's `InvalidParamsError`, whose message shows the value as
 * given. A top-N above the vocabulary is allowed: the kernels return V entries.
 *
 * @param job - The job (its top-N).
 * @param batch - The batch of a sample/score/softmax call; omitted for `run`, whose chunks are checked
 *   by the readers.
 * @throws {InvalidParamsError} naming the parameter.
 */
export function checkRequest(job: Job, batch?: { rows: unknown; vocab: unknown; firstRow?: unknown }): void {
  if (job.kind === "sample") {
    if (job.logprobs !== undefined) checkCount("logprobs", job.logprobs, MAX_TOP_N);
  } else if (job.kind !== "compare" && job.top !== undefined) checkCount("top", job.top, MAX_TOP_N);
  if (batch === undefined) return;
  checkCount("rows", batch.rows, Number.MAX_SAFE_INTEGER);
  checkCount("vocab", batch.vocab, MAX_VOCAB, 1);
  if (batch.firstRow !== undefined) checkCount("firstRow", batch.firstRow, Number.MAX_SAFE_INTEGER);
}

/** Entries per row of a top-N result for a row of `vocab` tokens: `min(n, vocab)` (no padding). */
export function topStride(n: number | undefined, vocab: number): number {
  return Math.max(0, Math.min(n ?? 0, vocab));
}
