import { availableParallelism } from "node:os";
import { checkRequest } from "./checkRequest.js";
import { PoolClosedError } from "./errors.js";
import { InlinePolicy } from "./inlinePolicy.js";
import { mergeSample, mergeScore } from "./mergeOutputs.js";
import { PoolLifecycle } from "./poolLifecycle.js";
import type { PoolParts } from "./poolParts.js";
import type {
  Batch,
  Pool,
  PoolInternals,
  PoolOptions,
  PoolStats,
  RunOptions,
  SampleOptions,
  ScoreOptions,
  SoftmaxOptions,
  StreamJob,
} from "./poolTypes.js";
import type {
  ByteChunkLike,
  RowBatchLike,
  SampleJob,
  SamplerParamsLike,
  ScoreJob,
  SoftmaxJob,
} from "./protocol.js";
import { RetryingDispatcher } from "./retryingDispatcher.js";
import { runSplit } from "./runSplit.js";
import { runTask } from "./runTask.js";
import { SlabLeases } from "./slabLeases.js";
import { streamingRun } from "./streamingRun.js";

/**
 * Builds a pool over a given worker module and kernels: the host side of the pool, assembled from its
 * parts — `PoolLifecycle` (open → closing → closed; aborted; destroyed), `InlinePolicy` (what runs on the
 * calling thread), `RetryingDispatcher` (admission, the bounded queue, retries on worker faults),
 * `SlabLeases` (shared memory for task inputs), `runSplit` (the promise calls) and `streamingRun` (`run`).
 * `createPool` calls it with the production worker; tests call it with fault-injecting worker modules.
 * It is not exported from the package.
 */
export function startPool(options: PoolOptions, internals: PoolInternals): Pool {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 2 * threads));
  const maxQueue = Math.max(0, Math.floor(options.maxQueue ?? Number.POSITIVE_INFINITY));
  const lifecycle = new PoolLifecycle();
  const inlinePolicy = new InlinePolicy(options.inlineThreshold);
  const leases = new SlabLeases(maxInFlight + threads, lifecycle);
  const dispatcher = new RetryingDispatcher(
    {
      threads,
      maxRunning: maxInFlight,
      maxQueue,
      workerUrl: internals.workerUrl,
      workerData: internals.workerData,
      maxWorkerMemoryMb: options.maxWorkerMemoryMb,
    },
    lifecycle,
  );
  const counts = { outstanding: 0, peakOutstanding: 0, inlineTasks: 0 };
  const parts: PoolParts = {
    threads,
    maxInFlight,
    minPartElements: inlinePolicy.warmThreshold,
    parseOnMain: options.parse === "main",
    kernels: internals.kernels,
    lifecycle,
    dispatcher,
    leases,
    inline: (elements) => inlinePolicy.inline(elements, dispatcher.started),
    runInline: (msg) => {
      dispatcher.stats.tasks++;
      counts.inlineTasks++;
      return runTask(msg, internals.kernels);
    },
    onOutstanding: (n) => {
      counts.outstanding = n;
      if (n > counts.peakOutstanding) counts.peakOutstanding = n;
    },
  };

  const poolSignal = options.signal;
  const onPoolAbort = () => {
    if (!lifecycle.abort(poolSignal?.reason)) return;
    dispatcher.rejectWaiting(() => lifecycle.abortError());
    void dispatcher.destroy();
    leases.clear();
  };
  if (poolSignal !== undefined) {
    if (poolSignal.aborted) onPoolAbort();
    else poolSignal.addEventListener("abort", onPoolAbort, { once: true });
  }

  async function sample(batch: Batch, params: SamplerParamsLike = {}, opts: SampleOptions = {}) {
    const job: SampleJob = { kind: "sample", params, arrays: true };
    if (opts.logprobs !== undefined) job.logprobs = opts.logprobs;
    if (opts.processed !== undefined) job.processed = opts.processed;
    if (opts.onError !== undefined) job.onError = opts.onError;
    return mergeSample(await runSplit(parts, batch, job, opts.signal));
  }

  async function score(batch: Batch, opts: ScoreOptions = {}) {
    const job: ScoreJob = { kind: "score", arrays: true };
    if (opts.top !== undefined) job.top = opts.top;
    if (opts.onError !== undefined) job.onError = opts.onError;
    const b = opts.targets !== undefined ? { ...batch, targets: opts.targets } : batch;
    return mergeScore(await runSplit(parts, b, job, opts.signal));
  }

  async function softmax(batch: Batch, opts: SoftmaxOptions = {}) {
    const job: SoftmaxJob = { kind: "softmax", arrays: true };
    if (opts.log !== undefined) job.log = opts.log;
    if (opts.temperature !== undefined) job.temperature = opts.temperature;
    const outputs = await runSplit(parts, batch, job, opts.signal);
    return outputs[0]!.probs!;
  }

  function run(
    source: AsyncIterable<RowBatchLike | ByteChunkLike> | Iterable<RowBatchLike | ByteChunkLike>,
    job: StreamJob,
    opts: RunOptions = {},
  ) {
    lifecycle.checkOpen();
    checkRequest(job);
    return streamingRun(parts, source, job, opts);
  }

  async function close(): Promise<void> {
    lifecycle.beginClose();
    while (dispatcher.active.size > 0) await Promise.allSettled([...dispatcher.active]);
    lifecycle.endClose();
    await dispatcher.close();
    poolSignal?.removeEventListener("abort", onPoolAbort);
    leases.clear();
  }

  async function destroy(): Promise<void> {
    lifecycle.destroy();
    dispatcher.rejectWaiting(() => lifecycle.abortError() ?? new PoolClosedError("destroyed"));
    await dispatcher.destroy();
    poolSignal?.removeEventListener("abort", onPoolAbort);
    leases.clear();
  }

  function stats(): PoolStats {
    const d = dispatcher.stats;
    return {
      threads,
      started: dispatcher.started,
      inFlight: d.inFlight,
      peakInFlight: d.peakInFlight,
      queued: d.queued,
      peakQueued: d.peakQueued,
      rejected: d.rejected,
      outstanding: counts.outstanding,
      peakOutstanding: counts.peakOutstanding,
      tasks: d.tasks,
      inlineTasks: counts.inlineTasks,
      retries: d.retries,
      slabsAllocated: leases.allocated,
    };
  }

  return {
    sample,
    score,
    softmax,
    run,
    close,
    destroy,
    allocBytes: (n: number) => leases.lend(n),
    stats,
  };
}
