import type { RowBatchLike } from "./protocol.js";

/** A run of consecutive rows of one length, cut from a batch whose rows differ: its batch and where it starts. */
interface UniformRun {
  /** Index in the whole batch of the run's first row. */
  start: number;
  /** The run as a uniform batch: views of the whole batch's data, its own `firstRow` (the rows' global indices). */
  batch: RowBatchLike;
}

/**
 * Cuts a batch whose rows differ in length (`offsets`) into runs of consecutive rows of one length, each
 * a uniform batch the core's batch kernels take as it is. Each row keeps its global index (`firstRow` of
 * its run + its place in it), so its random stream and its record are the same as in any other split.
 * Rows that alternate in length (multiple-choice items of 4 and 5 options) are runs of one row.
 */
export function uniformRuns(batch: RowBatchLike): UniformRun[] {
  const offsets = batch.offsets;
  if (offsets === undefined) return [{ start: 0, batch }];
  const runs: UniformRun[] = [];
  let start = 0;
  while (start < batch.rows) {
    const vocab = offsets[start + 1]! - offsets[start]!;
    let end = start + 1;
    while (end < batch.rows && offsets[end + 1]! - offsets[end]! === vocab) end++;
    const run: RowBatchLike = {
      firstRow: batch.firstRow + start,
      rows: end - start,
      vocab,
      data: batch.data.subarray(offsets[start]!, offsets[end]!),
    };
    if (batch.targets !== undefined) run.targets = batch.targets.subarray(start, end);
    if (batch.ids !== undefined) run.ids = batch.ids.slice(start, end);
    if (batch.params !== undefined) run.params = batch.params.slice(start, end);
    runs.push({ start, batch: run });
    start = end;
  }
  return runs;
}
