import { checkRequest } from "./checkRequest.js";
import { jobAborted } from "./errors.js";
import type { PoolParts } from "./poolParts.js";
import type { Batch } from "./poolTypes.js";
import type { Job, RowBatchLike, TaskMessage, TaskOutput } from "./protocol.js";
import { reviveError } from "./reviveError.js";
import { checkBatchData } from "./slabLeases.js";

/**
 * Most elements per task of a split promise call: 16 MiB of float32. Input not on shared memory is
 * staged part by part, so staging costs at most maxInFlight parts of memory, not a second copy of the
 * whole batch, and the workers start on the first part while the calling thread copies the next.
 * Measured (bench/throughput, 1,024 rows of 128,256, medians of 7–9 reps): 4 MiB parts lost to per-task
 * costs; 64 MiB parts scaled copied-input score a little better (2 vs 1 thread 1.46–1.48× against
 * 1.29–1.35×) for 4× the staging memory; for input already shared, 16 MiB parts and 2 parts per thread
 * measured the same (1.81–1.91×).
 */
const PART_ELEMENTS = 1 << 22;

/**
 * Rows per task when a promise call is split: at most PART_ELEMENTS per part, at least two parts per
 * thread when the batch has the rows (so a thread that falls behind is balanced by the others), and never
 * a part smaller than the warm inline threshold (`minElements`), below which a task costs more than it saves.
 */
export function splitRows(rows: number, vocab: number, threads: number, minElements: number): number {
  const byThreads = Math.ceil(rows / (2 * threads));
  const bySize = Math.max(1, Math.floor(PART_ELEMENTS / vocab));
  const floor = Math.max(1, Math.ceil(minElements / vocab));
  return Math.max(floor, Math.min(bySize, byThreads));
}

/** Rows `from … to - 1` of a promise-API batch as a task's batch (targets, ids, params sliced alike). */
function partOf(batch: Batch, data: Float32Array, from: number, to: number): RowBatchLike {
  const b: RowBatchLike = {
    firstRow: (batch.firstRow ?? 0) + from,
    rows: to - from,
    vocab: batch.vocab,
    data,
  };
  if (batch.targets !== undefined) b.targets = batch.targets.slice(from, to);
  if (batch.ids !== undefined) b.ids = batch.ids.slice(from, to);
  if (batch.params !== undefined) b.params = batch.params.slice(from, to);
  return b;
}

/**
 * Runs a promise-API batch: inline when small, else split into parts (`splitRows`) sent to the workers in
 * row order, at most `maxInFlight` at a time. A part on unshared input is staged into a recycled slab only
 * when the dispatcher admits it, and the slab is reused once the part settles: the calling thread copies
 * while the workers compute, and staging memory stays at maxInFlight parts whatever the batch size.
 * Every dispatched part settles before the call does, so no task outlives the call's result; the first
 * failing part in row order decides the error.
 */
export async function runSplit(
  pool: PoolParts,
  batch: Batch,
  job: Job,
  signal: AbortSignal | undefined,
): Promise<TaskOutput[]> {
  pool.lifecycle.checkOpen();
  if (signal?.aborted) throw jobAborted(signal.reason);
  checkRequest(job, batch);
  const { rows, vocab } = batch;
  const firstRow = batch.firstRow ?? 0;
  const elements = rows * vocab;
  checkBatchData(batch.data, elements);
  if (pool.inline(elements)) {
    const o = pool.runInline({
      job,
      firstRow,
      rows,
      batch: partOf(batch, batch.data.subarray(0, elements), 0, rows),
    });
    if (o.failure !== undefined) throw reviveError(o.failure);
    return [o];
  }
  const out = job.kind === "softmax" ? new Float32Array(new SharedArrayBuffer(elements * 4)) : undefined;
  const partRows = splitRows(rows, vocab, pool.threads, pool.minPartElements);
  const tasks: Promise<TaskOutput>[] = [];
  const running = new Set<Promise<unknown>>();
  let failed = false;
  let from = 0;
  for (; from < rows; from += partRows) {
    while (running.size >= pool.maxInFlight) await Promise.race(running);
    if (failed || signal?.aborted || pool.lifecycle.halted) break;
    const to = Math.min(rows, from + partRows);
    const partFrom = from;
    const prepare = () => {
      const { view, lease } = pool.leases.stageRows(
        batch.data.subarray(partFrom * vocab, to * vocab),
        (to - partFrom) * vocab,
      );
      const msg: TaskMessage = {
        job,
        firstRow: firstRow + partFrom,
        rows: to - partFrom,
        batch: partOf(batch, view, partFrom, to),
      };
      if (out !== undefined) msg.out = out.subarray(partFrom * vocab, to * vocab);
      return { msg, lease };
    };
    const task = pool.dispatcher.dispatch(prepare, signal);
    tasks.push(task);
    const settled = task.then(
      (o) => {
        if (o.failure !== undefined) failed = true;
      },
      () => {
        failed = true;
      },
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
  }
  const settled = await Promise.allSettled(tasks);
  const outputs: TaskOutput[] = [];
  for (const s of settled) {
    // Parts are dispatched in row order and none after a failure, so every part before a failed one ran.
    if (s.status === "rejected") throw s.reason;
    if (s.value.failure !== undefined) throw reviveError(s.value.failure);
    outputs.push(s.value);
  }
  if (from < rows) pool.lifecycle.checkRunnable(signal); // stopped early by an abort or destroy: say which
  if (out !== undefined) outputs[0]!.probs = out; // softmax parts wrote in place into one shared array
  return outputs;
}
