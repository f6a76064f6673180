import { availableParallelism } from "node:os";
import { LogitstreamError } from "@logitstream/core";
import { Piscina } from "piscina";
import { checkRequest } from "./checkRequest.js";
import { AbortError, PoolClosedError, PoolError, WorkerCrashError, type WorkerFault } from "./errors.js";
import type { Kernels, SampleBatchResult, ScoreBatchResult } from "./kernels.js";
import { mergeSample, mergeScore } from "./mergeOutputs.js";
import { orderedWindow } from "./orderedWindow.js";
import type {
  ByteChunkLike,
  CompareJob,
  Job,
  RowBatchLike,
  SampleJob,
  SamplerParamsLike,
  ScoreJob,
  SerializedError,
  SoftmaxJob,
  TaskMessage,
  TaskOutput,
  TaskReply,
} from "./protocol.js";
import { reviveError } from "./reviveError.js";
import { isUndecoded, runTask, serializeWireErrors, undecodedOutput } from "./runTask.js";
import { serializeError } from "./serializeError.js";
import { SlabPool } from "./slabPool.js";

/**
 * Inline thresholds, in logit elements (rows × vocab), from bench/overhead.bench.mjs (BENCHMARKS.md;
 * quiet machine, 2026-11-26: first task of a cold pool 145 ms with 1 thread, 176 ms with 2; one
 * V = 128,256 row inline: sample T 0.8 top-p 0.9 1,039 µs, score 203 µs; warm round trip 203 µs).
 *
 * - Cold (workers not started): starting them is a one-off cost, so this is ski rental — run inline
 *   until the work run inline so far would have paid for the start-up, then start the workers. With
 *   sample's cost per row (the op that gains most from the workers) that is 145 ms / 1.04 ms ≈ 140 rows
 *   of 128,256; score's would be ~700. 128 rows it is. (Splitting one job over 2 threads beats running
 *   it inline only from E ≥ overhead / (c·(1 − 1/T)): 279 rows for sample, ~1,400 for score.)
 * - Warm (overhead = one task's round trip, 203 µs): a single task breaks even at ≈ 50,000 elements for
 *   sample and ≈ 256,000 for score; tasks within 8,192 elements still run inline. Kept well below the
 *   break-even because a stream overlaps its round trips (86 µs per task with many in flight), so the
 *   workers pay off sooner for a stream of small chunks than for one task waited on.
 */
export const DEFAULT_INLINE_THRESHOLD = 128 * 128_256;
export const WARM_INLINE_THRESHOLD = 8_192;

/** Options of `createPool`. */
export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Aborting it cancels every pending task (they reject with `AbortError`) and tears the workers down. */
  signal?: AbortSignal;
  /**
   * Most tasks a streaming `run` keeps in flight (taken from the source, not yet taken by its consumer), and
   * most parts of one promise call in flight. Default 2 × threads.
   */
  maxInFlight?: number;
  /**
   * Work that runs inline on the calling thread before the workers are started, in logit elements
   * (rows × vocab), summed over the pool's jobs; the first job beyond it starts the workers. Default
   * `DEFAULT_INLINE_THRESHOLD` (measured); 0 = never inline, Infinity = always inline.
   */
  inlineThreshold?: number;
  /** Where `run` decodes byte chunks: in the workers (default, measured faster) or on the calling thread. */
  parse?: "worker" | "main";
  /** Heap limit of each worker in MB; a worker that exceeds it is replaced and its task retried once. */
  maxWorkerMemoryMb?: number;
}

/** What tests (and only tests) may change: the worker module and its kernels. Not exported by the package. */
export interface PoolInternals {
  /** The worker module (built JavaScript): its default export handles a `TaskMessage`. */
  workerUrl: URL;
  /** The same kernels, for the inline path and main-thread parsing. */
  kernels: Kernels;
  /** Passed to every worker as piscina's `workerData`. */
  workerData?: unknown;
}

/** A batch for the promise API: `rows × vocab` row-major logits. Its rows are global rows `firstRow …`. */
export interface Batch {
  data: Float32Array;
  rows: number;
  vocab: number;
  /** Global index of row 0 (its random stream); default 0. */
  firstRow?: number;
  targets?: Int32Array | undefined;
  ids?: unknown[] | undefined;
  params?: (SamplerParamsLike | undefined)[] | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
}
export interface SampleOptions extends CallOptions {
  logprobs?: number;
  processed?: boolean;
  onError?: "throw" | "skip";
}
export interface ScoreOptions extends CallOptions {
  /** Target per row (-1 = none); overrides `batch.targets`. */
  targets?: Int32Array;
  top?: number;
  onError?: "throw" | "skip";
}
export interface SoftmaxOptions extends CallOptions {
  log?: boolean;
  temperature?: number;
}

/** The job of a streaming `run`, without its kind-specific result arrays. */
export type StreamJob = SampleJob | ScoreJob | SoftmaxJob | CompareJob;

export interface RunOptions extends CallOptions {
  /** Targets for rows `firstRow … firstRow + rows - 1` (e.g. from `--targets FILE`), called in input order. */
  targets?: (firstRow: number, rows: number) => Int32Array | undefined;
}

/** Running totals over every row delivered so far, accumulated in global row order. */
export interface StreamTotals {
  /** Rows delivered (skipped bad rows excluded). */
  rows: number;
  /** Score jobs: rows that had a target. */
  scored: number;
  /** Score jobs: Σ −logprob over scored rows (Neumaier-compensated, row order: the same for any split). */
  nllSum: number;
}

/** One batch's results from `run`, in input order. */
export interface StreamResult extends Omit<TaskOutput, "errors" | "wireErrors" | "failure"> {
  /**
   * Rows skipped with `onError: "skip"`, one error per row naming its global `row`: wire's WireError for
   * a row wire could not decode (its reason, frame and byte offset), the core's typed error otherwise.
   */
  errors: Error[];
  /** With `onError: "skip"`: wire's errors for the malformed frames among them (frame, byte offset). */
  wireErrors?: Error[];
  totals: StreamTotals;
}

/** Counters for tests and monitoring. */
export interface PoolStats {
  threads: number;
  /** Whether the worker threads have been started (they start on the first task too big to run inline). */
  started: boolean;
  /** Tasks sent to workers and not yet settled; and the most ever at once. */
  inFlight: number;
  peakInFlight: number;
  /** Items a streaming `run` has taken from its source and not yet handed to its consumer; and the peak. */
  outstanding: number;
  peakOutstanding: number;
  tasks: number;
  inlineTasks: number;
  retries: number;
  slabsAllocated: number;
}

export interface Pool {
  sample(batch: Batch, params?: SamplerParamsLike, opts?: SampleOptions): Promise<SampleBatchResult>;
  score(batch: Batch, opts?: ScoreOptions): Promise<ScoreBatchResult>;
  softmax(batch: Batch, opts?: SoftmaxOptions): Promise<Float32Array>;
  run(
    source: AsyncIterable<RowBatchLike | ByteChunkLike> | Iterable<RowBatchLike | ByteChunkLike>,
    job: StreamJob,
    opts?: RunOptions,
  ): AsyncGenerator<StreamResult, void, undefined>;
  /** Accepts no new tasks, waits for the tasks in flight, then stops the workers. */
  close(): Promise<void>;
  /** Stops the workers now; pending tasks reject with `PoolClosedError`. */
  destroy(): Promise<void>;
  stats(): PoolStats;
  /**
   * `n` bytes of the pool's shared memory, for wire's `frameChunks(input, { alloc: pool.allocBytes })`:
   * chunks cut into it reach the workers with no staging copy. A chunk on such memory belongs to the pool
   * once given to `run`: its slab is recycled when the chunk's task has settled.
   */
  allocBytes(n: number): Uint8Array;
}

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

/** Rejects a batch whose data is shorter than its `rows × vocab` elements. */
function checkBatchData(data: Float32Array, elements: number): void {
  if (data.length < elements) {
    throw new PoolError(
      "E_BAD_BATCH",
      `batch data holds ${data.length} values, fewer than rows × vocab = ${elements}`,
    );
  }
}

/** A data error reported by a worker: deterministic, so never retried. */
class DataError {
  constructor(readonly error: Error) {}
}

const MAX_ATTEMPTS = 2;

function isChunk(item: RowBatchLike | ByteChunkLike): item is ByteChunkLike {
  return (item as ByteChunkLike).bytes !== undefined;
}

function faultOf(e: unknown): WorkerFault {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ERR_WORKER_OUT_OF_MEMORY") return "out-of-memory";
  const message = e instanceof Error ? e.message : String(e);
  if (message.startsWith("worker exited with code")) return "exited";
  return "threw";
}

/**
 * Builds a pool over a given worker module and kernels. `createPool` calls it with the production worker;
 * the tests call it with fault-injecting worker modules. It is not exported from the package.
 */
export function startPool(options: PoolOptions, internals: PoolInternals): Pool {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 2 * threads));
  const inlineThreshold = options.inlineThreshold ?? DEFAULT_INLINE_THRESHOLD;
  const warmInlineThreshold = Math.min(inlineThreshold, WARM_INLINE_THRESHOLD);
  let inlineSpent = 0; // elements run inline so far
  const parseOnMain = options.parse === "main";
  const kernels = internals.kernels;
  const slabs = new SlabPool(maxInFlight + threads);
  // Slabs handed out by `allocBytes` and not yet given back with a chunk to `run`. Weak: a chunk that
  // never reaches the pool lets its slab be collected.
  const lent = new WeakSet<SharedArrayBuffer>();

  let piscina: Piscina | undefined;
  let state: "open" | "closing" | "closed" | "destroyed" | "aborted" = "open";
  let abortReason: unknown;
  const active = new Set<Promise<unknown>>();
  const stats = {
    inFlight: 0,
    peakInFlight: 0,
    outstanding: 0,
    peakOutstanding: 0,
    tasks: 0,
    inlineTasks: 0,
    retries: 0,
  };
  // Rejects once the pool is aborted or destroyed: streaming runs race it so they stop even while
  // their source is waiting for input.
  let stopPool!: (e: Error) => void;
  const stopped = new Promise<never>((_, reject) => {
    stopPool = reject;
  });
  stopped.catch(() => {});

  const poolSignal = options.signal;
  const onPoolAbort = () => {
    if (state === "aborted" || state === "destroyed") return;
    state = "aborted";
    abortReason = poolSignal?.reason;
    stopPool(new AbortError(abortReason));
    void piscina?.destroy();
    slabs.clear();
  };
  if (poolSignal !== undefined) {
    if (poolSignal.aborted) onPoolAbort();
    else poolSignal.addEventListener("abort", onPoolAbort, { once: true });
  }

  function checkOpen(): void {
    if (state === "aborted") throw new AbortError(abortReason);
    if (state === "destroyed") throw new PoolClosedError("destroyed");
    if (state !== "open") throw new PoolClosedError("closed");
  }

  function workers(): Piscina {
    if (piscina === undefined) {
      const limits = options.maxWorkerMemoryMb;
      piscina = new Piscina({
        filename: internals.workerUrl.href,
        minThreads: threads,
        maxThreads: threads,
        idleTimeout: 60_000,
        // Workers do not inherit the parent's execArgv: flags meant for the main thread (--inspect, a
        // test runner's --conditions) have no business in a worker, whose entry is the built dist/worker.js.
        execArgv: [],
        ...(limits !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: limits } } : {}),
        ...(internals.workerData !== undefined ? { workerData: internals.workerData } : {}),
      });
      // A worker that dies with no task is replaced by piscina; its 'error' event must not crash the host.
      piscina.on("error", () => {});
    }
    return piscina;
  }

  /** Runs one task in a worker: retried once after a fault; a data error or an abort is final. */
  async function dispatch(msg: TaskMessage, signal: AbortSignal | undefined): Promise<TaskOutput> {
    stats.tasks++;
    for (let attempt = 1; ; attempt++) {
      checkOpenForDispatch(signal);
      stats.inFlight++;
      if (stats.inFlight > stats.peakInFlight) stats.peakInFlight = stats.inFlight;
      try {
        const reply = (await workers().run(msg, signal !== undefined ? { signal } : {})) as TaskReply;
        if (!reply.ok) throw new DataError(reviveError(reply.error));
        return reply.output;
      } catch (e) {
        if (e instanceof DataError) throw e.error;
        if (state === "aborted") throw new AbortError(abortReason);
        if (state === "destroyed") throw new PoolClosedError("destroyed");
        if (signal?.aborted) throw new AbortError(signal.reason);
        if (attempt >= MAX_ATTEMPTS)
          throw new WorkerCrashError(msg.firstRow, msg.rows, attempt, faultOf(e), e);
        stats.retries++;
      } finally {
        stats.inFlight--;
      }
    }
  }

  function checkOpenForDispatch(signal: AbortSignal | undefined): void {
    if (state === "aborted") throw new AbortError(abortReason);
    if (state === "destroyed") throw new PoolClosedError("destroyed");
    if (signal?.aborted) throw new AbortError(signal.reason);
  }

  /** Whether `elements` of work should run on the calling thread (see DEFAULT_INLINE_THRESHOLD). */
  function inline(elements: number): boolean {
    if (elements === 0) return true;
    if (piscina === undefined && inlineSpent + elements <= inlineThreshold) {
      inlineSpent += elements;
      return true;
    }
    return elements <= warmInlineThreshold;
  }

  function runInline(msg: TaskMessage): TaskOutput {
    stats.tasks++;
    stats.inlineTasks++;
    return runTask(msg, kernels);
  }

  function track<T>(p: Promise<T>): Promise<T> {
    active.add(p);
    const forget = () => active.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Stages rows into shared memory the workers read in place (no copy if they already are shared). */
  function stage(data: Float32Array, n: number): { view: Float32Array; slab?: SharedArrayBuffer } {
    checkBatchData(data, n);
    if (data.buffer instanceof SharedArrayBuffer) return { view: data.subarray(0, n) };
    const slab = slabs.acquire(n * 4);
    const view = new Float32Array(slab, 0, n);
    view.set(n === data.length ? data : data.subarray(0, n));
    return { view, slab };
  }

  function stageBytes(bytes: Uint8Array): { view: Uint8Array; slab?: SharedArrayBuffer } {
    if (bytes.buffer instanceof SharedArrayBuffer) return { view: bytes };
    const slab = slabs.acquire(bytes.byteLength);
    const view = new Uint8Array(slab, 0, bytes.byteLength);
    view.set(bytes);
    return { view, slab };
  }

  /** Splits a promise-API batch into tasks (≥ one per thread for large batches) and runs them. */
  async function runSplit(batch: Batch, job: Job, signal: AbortSignal | undefined): Promise<TaskOutput[]> {
    checkOpen();
    if (signal?.aborted) throw new AbortError(signal.reason);
    checkRequest(job, batch);
    const { rows, vocab } = batch;
    const firstRow = batch.firstRow ?? 0;
    const elements = rows * vocab;
    checkBatchData(batch.data, elements);
    const rowBatch = (data: Float32Array, from: number, to: number): RowBatchLike => {
      const b: RowBatchLike = { firstRow: firstRow + from, rows: to - from, vocab, data };
      if (batch.targets !== undefined) b.targets = batch.targets.slice(from, to);
      if (batch.ids !== undefined) b.ids = batch.ids.slice(from, to);
      if (batch.params !== undefined) b.params = batch.params.slice(from, to);
      return b;
    };
    if (inline(elements)) {
      const o = runInline({
        job,
        firstRow,
        rows,
        batch: rowBatch(batch.data.subarray(0, elements), 0, rows),
      });
      if (o.failure !== undefined) throw reviveError(o.failure);
      return [o];
    }
    const out = job.kind === "softmax" ? new Float32Array(new SharedArrayBuffer(elements * 4)) : undefined;
    const partRows = splitRows(rows, vocab, threads, warmInlineThreshold);
    // Parts go out in row order, at most maxInFlight at a time. A part on unshared input is staged into
    // its own recycled slab just before dispatch and the slab is reused once the part settles: the
    // calling thread copies while the workers compute, and staging memory stays at maxInFlight parts
    // whatever the batch size.
    const tasks: Promise<TaskOutput>[] = [];
    const running = new Set<Promise<unknown>>();
    let failed = false;
    let from = 0;
    for (; from < rows; from += partRows) {
      while (running.size >= maxInFlight) await Promise.race(running);
      if (failed || signal?.aborted || state === "aborted" || state === "destroyed") break;
      const to = Math.min(rows, from + partRows);
      const { view, slab } = stage(batch.data.subarray(from * vocab, to * vocab), (to - from) * vocab);
      const msg: TaskMessage = {
        job,
        firstRow: firstRow + from,
        rows: to - from,
        batch: rowBatch(view, from, to),
      };
      if (out !== undefined) msg.out = out.subarray(from * vocab, to * vocab);
      const task = track(dispatch(msg, signal));
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
      void settled.then(() => {
        running.delete(settled);
        if (slab !== undefined && state !== "aborted" && state !== "destroyed") slabs.release(slab);
      });
    }
    // Every dispatched part settles before the call does, so no task outlives the call's result.
    const settled = await Promise.allSettled(tasks);
    const outputs: TaskOutput[] = [];
    for (const s of settled) {
      // The first failing part in row order decides the error (parts are dispatched in row order and
      // none after a failure, so every part before a failed one ran).
      if (s.status === "rejected") throw s.reason;
      if (s.value.failure !== undefined) throw reviveError(s.value.failure);
      outputs.push(s.value);
    }
    if (from < rows) checkOpenForDispatch(signal); // stopped early by an abort or destroy: say which
    if (out !== undefined) outputs[0]!.probs = out; // softmax parts wrote in place into one shared array
    return outputs;
  }

  async function sample(batch: Batch, params: SamplerParamsLike = {}, opts: SampleOptions = {}) {
    const job: SampleJob = { kind: "sample", params, arrays: true };
    if (opts.logprobs !== undefined) job.logprobs = opts.logprobs;
    if (opts.processed !== undefined) job.processed = opts.processed;
    if (opts.onError !== undefined) job.onError = opts.onError;
    return mergeSample(await runSplit(batch, job, opts.signal));
  }

  async function score(batch: Batch, opts: ScoreOptions = {}) {
    const job: ScoreJob = { kind: "score", arrays: true };
    if (opts.top !== undefined) job.top = opts.top;
    if (opts.onError !== undefined) job.onError = opts.onError;
    const b = opts.targets !== undefined ? { ...batch, targets: opts.targets } : batch;
    return mergeScore(await runSplit(b, job, opts.signal));
  }

  async function softmax(batch: Batch, opts: SoftmaxOptions = {}) {
    const job: SoftmaxJob = { kind: "softmax", arrays: true };
    if (opts.log !== undefined) job.log = opts.log;
    if (opts.temperature !== undefined) job.temperature = opts.temperature;
    const outputs = await runSplit(batch, job, opts.signal);
    return outputs[0]!.probs!;
  }

  function run(
    source: AsyncIterable<RowBatchLike | ByteChunkLike> | Iterable<RowBatchLike | ByteChunkLike>,
    job: StreamJob,
    opts: RunOptions = {},
  ): AsyncGenerator<StreamResult, void, undefined> {
    checkOpen();
    checkRequest(job);
    const signal = opts.signal;
    const totals: StreamTotals = { rows: 0, scored: 0, nllSum: 0 };
    let compensation = 0; // Neumaier's running compensation for totals.nllSum
    let nextRow = 0;
    let stopCall: Promise<never> | undefined;
    if (signal !== undefined) {
      stopCall = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(new AbortError(signal.reason));
        else signal.addEventListener("abort", () => reject(new AbortError(signal.reason)), { once: true });
      });
      stopCall.catch(() => {});
    }
    const stop = stopCall === undefined ? stopped : Promise.race([stopped, stopCall]);
    stop.catch(() => {});

    const start = (item: RowBatchLike | ByteChunkLike): Promise<TaskOutput> => {
      // Bytes cut into a slab of `allocBytes`: the pool owns that slab now. It is kept until the task has
      // settled (so a retry reads the same bytes) and then recycled.
      const buf = isChunk(item) ? item.bytes.buffer : undefined;
      if (buf instanceof SharedArrayBuffer && lent.has(buf)) {
        lent.delete(buf);
        const p = startItem(item);
        const release = () => {
          if (state !== "aborted" && state !== "destroyed") slabs.release(buf);
        };
        p.then(release, release);
        return p;
      }
      return startItem(item);
    };

    const startItem = (item: RowBatchLike | ByteChunkLike): Promise<TaskOutput> => {
      checkOpen();
      if (signal?.aborted) throw new AbortError(signal.reason);
      let msg: TaskMessage;
      let elements: number;
      let slab: SharedArrayBuffer | undefined;
      let firstRow: number;
      let rows: number;
      let batch: RowBatchLike | undefined;
      let chunk: ByteChunkLike | undefined;
      let decodeFailure: Error | undefined;
      let wireErrors: Error[] | undefined;
      let skippedRows: number[] | undefined;
      if (isChunk(item)) {
        firstRow = item.firstRow;
        rows = item.rows;
        // Without a known vocabulary (NDJSON) the work is estimated from the bytes: a JSON float32 takes
        // ~10–18 characters, so bytes / 4 overstates the elements, which errs toward the workers — right,
        // since parsing text costs more per byte than the math costs per element.
        elements = item.vocab !== undefined ? item.rows * item.vocab : item.bytes.byteLength / 4;
        if (parseOnMain) {
          const decoded = kernels.decodeChunkPrefix(item);
          // Nothing the kernels could run (the first frame was bad): deliver the decode error.
          if (isUndecoded(decoded.batch)) {
            nextRow = item.firstRow + item.rows;
            opts.targets?.(item.firstRow, item.rows); // taken in input order, like every chunk's
            return Promise.resolve(undecodedOutput(job, decoded.batch, decoded.error));
          }
          decodeFailure = decoded.error;
          const { errors, ...rest } = decoded.batch;
          batch = rest;
          wireErrors = errors;
          skippedRows = (rest as { skippedRows?: number[] }).skippedRows;
          elements = batch.rows * batch.vocab;
        } else {
          chunk = item;
        }
      } else {
        firstRow = item.firstRow ?? nextRow;
        rows = item.rows;
        elements = item.rows * item.vocab;
        batch = item.firstRow === firstRow ? item : { ...item, firstRow };
      }
      nextRow = firstRow + rows;
      const targets = opts.targets?.(firstRow, rows);
      if (inline(elements)) {
        msg = { job, firstRow, rows };
        if (batch !== undefined) msg.batch = batch;
        if (chunk !== undefined) msg.chunk = chunk;
        if (targets !== undefined) msg.targets = targets;
        return Promise.resolve()
          .then(() => runInline(msg))
          .then((o) => withMainDecode(o, decodeFailure, wireErrors, skippedRows));
      }
      if (batch !== undefined) {
        const staged = stage(batch.data, batch.rows * batch.vocab);
        slab = staged.slab;
        msg = { job, firstRow, rows, batch: { ...batch, data: staged.view } };
      } else {
        const staged = stageBytes(chunk!.bytes);
        slab = staged.slab;
        msg = { job, firstRow, rows, chunk: { ...chunk!, bytes: staged.view } };
      }
      if (targets !== undefined) msg.targets = targets;
      const p = track(dispatch(msg, signal)).then((o) =>
        withMainDecode(o, decodeFailure, wireErrors, skippedRows),
      );
      if (slab !== undefined) {
        const s = slab;
        const release = () => {
          if (state !== "aborted" && state !== "destroyed") slabs.release(s);
        };
        p.then(release, release);
      }
      return p;
    };

    const deliver = (o: TaskOutput): StreamResult => {
      // A row wire skipped reaches the kernels as NaN and comes back as the kernel's "NaN logit" error:
      // report wire's own error for it instead (it says what was wrong, with frame and byte offset).
      const why = new Map<number, SerializedError>();
      for (const w of o.wireErrors ?? []) {
        const row = w.props.row;
        if (typeof row === "number") why.set(row, w);
      }
      const errors = o.errors.map((e) => {
        const row = e.props.row;
        return reviveError((typeof row === "number" && why.get(row)) || e);
      });
      let skipped: Set<number> | undefined;
      if (errors.length > 0) {
        skipped = new Set<number>();
        for (const e of errors) {
          const row = (e as { row?: unknown }).row;
          if (typeof row === "number") skipped.add(row);
        }
      }
      totals.rows += o.rows - (skipped?.size ?? 0);
      if (o.kind === "score" && o.logprobs !== undefined && o.targets !== undefined) {
        const lps = o.logprobs;
        const tg = o.targets;
        let sum = totals.nllSum;
        for (let r = 0; r < o.rows; r++) {
          if (tg[r]! < 0 || skipped?.has(o.firstRow + r)) continue;
          const x = -lps[r]!;
          if (Number.isNaN(x)) continue;
          totals.scored++;
          // Neumaier summation in global row order: the same total for any batch split or thread count.
          const t = sum + x;
          compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
          sum = t;
        }
        totals.nllSum = sum;
      }
      const { failure: _failure, wireErrors: wire, ...rest } = o;
      const result: StreamResult = {
        ...rest,
        errors,
        totals: { ...totals, nllSum: totals.nllSum + compensation },
      };
      if (wire !== undefined) result.wireErrors = wire.map(reviveError);
      if (!wantsArraysOf(job) && o.kind === "score") {
        delete result.logprobs;
        delete result.targets;
      }
      return result;
    };

    async function* stream(): AsyncGenerator<StreamResult, void, undefined> {
      const window = orderedWindow(source, maxInFlight, (item) => start(item), {
        stop,
        onCount: (n) => {
          stats.outstanding = n;
          if (n > stats.peakOutstanding) stats.peakOutstanding = n;
        },
      });
      try {
        for await (const o of window) {
          // A bad row or frame: deliver the rows before it, then fail naming it.
          if (o.rows > 0 || o.failure === undefined) yield deliver(o);
          if (o.failure !== undefined) throw reviveError(o.failure);
        }
      } catch (e) {
        if (e instanceof LogitstreamError) throw e;
        if (state === "aborted") throw new AbortError(abortReason);
        if (signal?.aborted) throw new AbortError(signal.reason);
        throw e;
      } finally {
        stats.outstanding = 0;
      }
    }
    return stream();
  }

  async function close(): Promise<void> {
    if (state === "open") state = "closing";
    while (active.size > 0) await Promise.allSettled([...active]);
    if (state === "closing") state = "closed";
    await piscina?.close();
    poolSignal?.removeEventListener("abort", onPoolAbort);
    slabs.clear();
  }

  async function destroy(): Promise<void> {
    if (state !== "aborted") state = "destroyed";
    stopPool(new PoolClosedError("destroyed"));
    await piscina?.destroy();
    poolSignal?.removeEventListener("abort", onPoolAbort);
    slabs.clear();
  }

  return {
    sample,
    score,
    softmax,
    run,
    close,
    destroy,
    allocBytes: (n: number): Uint8Array => {
      const slab = slabs.acquire(n);
      lent.add(slab);
      return new Uint8Array(slab, 0, n);
    },
    stats: () => ({
      threads,
      started: piscina !== undefined,
      inFlight: stats.inFlight,
      peakInFlight: stats.peakInFlight,
      outstanding: stats.outstanding,
      peakOutstanding: stats.peakOutstanding,
      tasks: stats.tasks,
      inlineTasks: stats.inlineTasks,
      retries: stats.retries,
      slabsAllocated: slabs.allocated,
    }),
  };
}

/** Adds what main-thread parsing found (parse: "main") to a task's output. */
function withMainDecode(
  o: TaskOutput,
  failure: Error | undefined,
  wireErrors: Error[] | undefined,
  skippedRows: number[] | undefined,
): TaskOutput {
  if (wireErrors !== undefined && wireErrors.length > 0)
    o.wireErrors = serializeWireErrors(wireErrors, skippedRows);
  if (failure !== undefined && o.failure === undefined) o.failure = serializeError(failure);
  return o;
}

function wantsArraysOf(job: Job): boolean {
  return job.arrays ?? job.output === undefined;
}
