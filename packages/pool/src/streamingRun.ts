import { LogitstreamError } from "@logitstream/core";
import { jobAborted } from "./errors.js";
import { orderedWindow } from "./orderedWindow.js";
import type { PoolParts } from "./poolParts.js";
import type { RunOptions, StreamJob, StreamResult } from "./poolTypes.js";
import {
  type ByteChunkLike,
  type RowBatchLike,
  type SerializedError,
  type TaskMessage,
  type TaskOutput,
  wantsArrays,
} from "./protocol.js";
import type { PreparedTask } from "./retryingDispatcher.js";
import { reviveError } from "./reviveError.js";
import { RunningTotals } from "./runningTotals.js";
import { isUndecoded, serializeWireErrors, undecodedOutput } from "./runTask.js";
import { serializeError } from "./serializeError.js";
import { elementsOf } from "./slabLeases.js";

type Item = RowBatchLike | ByteChunkLike;

function isChunk(item: Item): item is ByteChunkLike {
  return (item as ByteChunkLike).bytes !== undefined;
}

/** What decoding on the calling thread (parse: "main") found, added to the task's output. */
interface MainDecode {
  failure: Error | undefined;
  wireErrors: Error[] | undefined;
  skippedRows: number[] | undefined;
}

/** One source item, ready to run: its rows, its estimated work, and its input (decoded rows or raw frames). */
interface PlannedTask {
  firstRow: number;
  rows: number;
  /** Logit elements (rows × vocab), or an estimate from the bytes when the vocabulary is unknown. */
  elements: number;
  batch?: RowBatchLike;
  chunk?: ByteChunkLike;
  mainDecode?: MainDecode;
  /** Nothing the kernels could run (main-thread decoding failed on the first frame): this output as is. */
  undecoded?: TaskOutput;
}

/**
 * The streaming form of the pool (`Pool.run`): items from the source become tasks, at most `maxInFlight`
 * outstanding (orderedWindow), and their results are delivered in input order with running totals. A bad
 * row or frame delivers the rows before it, then fails naming it.
 */
export function streamingRun(
  pool: PoolParts,
  source: AsyncIterable<Item> | Iterable<Item>,
  job: StreamJob,
  opts: RunOptions,
): AsyncGenerator<StreamResult, void, undefined> {
  return new StreamingRun(pool, job, opts).results(source);
}

class StreamingRun {
  readonly #totals = new RunningTotals();
  /** Global index of the next row: a batch without `firstRow` continues from the previous one. */
  #nextRow = 0;
  readonly #signal: AbortSignal | undefined;
  /** Rejects when the pool stops or the call's signal aborts: the run stops even while its source waits. */
  readonly #stop: Promise<never>;

  constructor(
    private readonly pool: PoolParts,
    private readonly job: StreamJob,
    private readonly opts: RunOptions,
  ) {
    this.#signal = opts.signal;
    this.#stop = stopOf(pool.lifecycle.stopped, opts.signal);
  }

  async *results(
    source: AsyncIterable<Item> | Iterable<Item>,
  ): AsyncGenerator<StreamResult, void, undefined> {
    const pool = this.pool;
    const window = orderedWindow(source, pool.maxInFlight, (item) => this.#start(item), {
      stop: this.#stop,
      onCount: (n) => pool.onOutstanding(n),
    });
    try {
      for await (const o of window) {
        if (o.rows > 0 || o.failure === undefined) yield this.#deliver(o);
        if (o.failure !== undefined) throw reviveError(o.failure);
      }
    } catch (e) {
      if (e instanceof LogitstreamError) throw e;
      throw pool.lifecycle.abortError() ?? (this.#signal?.aborted ? jobAborted(this.#signal.reason) : e);
    } finally {
      pool.onOutstanding(0);
    }
  }

  /**
   * Starts one item's task. A chunk or batch on a slab of `allocBytes` belongs to the pool now: its slab
   * is kept until the task has settled (so a retry reads the same bytes), then recycled.
   */
  #start(item: Item): Promise<TaskOutput> {
    const lent = this.pool.leases.adopt(item);
    let task: Promise<TaskOutput>;
    try {
      task = this.#startItem(item);
    } catch (e) {
      lent?.release();
      throw e;
    }
    lent?.releaseWhenSettled(task);
    return task;
  }

  #startItem(item: Item): Promise<TaskOutput> {
    const pool = this.pool;
    pool.lifecycle.checkOpen();
    if (this.#signal?.aborted) throw jobAborted(this.#signal.reason);
    const plan = isChunk(item) ? this.#planChunk(item) : this.#planBatch(item);
    this.#nextRow = plan.firstRow + plan.rows;
    const targets = this.opts.targets?.(plan.firstRow, plan.rows); // taken in input order, for every item
    if (plan.undecoded !== undefined) return Promise.resolve(plan.undecoded);
    const msg: TaskMessage = { job: this.job, firstRow: plan.firstRow, rows: plan.rows };
    if (targets !== undefined) msg.targets = targets;
    let task: Promise<TaskOutput>;
    if (pool.inline(plan.elements)) {
      if (plan.batch !== undefined) msg.batch = plan.batch;
      if (plan.chunk !== undefined) msg.chunk = plan.chunk;
      task = Promise.resolve().then(() => pool.runInline(msg));
    } else {
      task = pool.dispatcher.dispatch(() => this.#stage(msg, plan), this.#signal);
    }
    const main = plan.mainDecode;
    return main === undefined ? task : task.then((o) => withMainDecode(o, main));
  }

  /** A decoded batch: its rows continue from the previous item's when it has no `firstRow`. */
  #planBatch(item: RowBatchLike): PlannedTask {
    const firstRow = item.firstRow ?? this.#nextRow;
    const batch = item.firstRow === firstRow ? item : { ...item, firstRow };
    return { firstRow, rows: item.rows, elements: elementsOf(item), batch };
  }

  /** Raw frames: decoded by the worker (default), or here with parse: "main". */
  #planChunk(chunk: ByteChunkLike): PlannedTask {
    const { firstRow, rows } = chunk;
    if (!this.pool.parseOnMain) {
      // Without a known vocabulary (NDJSON) the work is estimated from the bytes: a JSON float32 takes
      // ~10–18 characters, so bytes / 4 overstates the elements, which errs toward the workers — right,
      // since parsing text costs more per byte than the math costs per element.
      const elements = chunk.vocab !== undefined ? rows * chunk.vocab : chunk.bytes.byteLength / 4;
      return { firstRow, rows, elements, chunk };
    }
    const decoded = this.pool.kernels.decodeChunkPrefix(chunk, { ragged: true });
    if (isUndecoded(decoded.batch)) {
      return {
        firstRow,
        rows,
        elements: 0,
        undecoded: undecodedOutput(this.job, decoded.batch, decoded.error),
      };
    }
    const { errors, ...batch } = decoded.batch;
    const mainDecode: MainDecode = {
      failure: decoded.error,
      wireErrors: errors,
      skippedRows: (batch as { skippedRows?: number[] }).skippedRows,
    };
    return { firstRow, rows, elements: elementsOf(batch), batch, mainDecode };
  }

  /** Stages the task's input into shared memory, once the dispatcher has admitted it. */
  #stage(msg: TaskMessage, plan: PlannedTask): PreparedTask {
    const leases = this.pool.leases;
    if (plan.batch !== undefined) {
      const staged = leases.stageBatch(plan.batch);
      return { msg: { ...msg, batch: staged.view }, lease: staged.lease };
    }
    const staged = leases.stageChunk(plan.chunk!);
    return { msg: { ...msg, chunk: staged.view }, lease: staged.lease };
  }

  /** One output as a `StreamResult`: its skipped rows' errors revived, the totals updated. */
  #deliver(o: TaskOutput): StreamResult {
    const errors = rowErrorsOf(o);
    this.#totals.add(o, skippedRowsOf(errors));
    const { failure: _failure, wireErrors: wire, ...rest } = o;
    const result: StreamResult = { ...rest, errors, totals: this.#totals.snapshot() };
    if (wire !== undefined) result.wireErrors = wire.map(reviveError);
    if (!wantsArrays(this.job) && o.kind === "score") {
      // The host needed them for the totals only.
      delete result.logprobs;
      delete result.targets;
    }
    return result;
  }
}

/**
 * The errors of an output's skipped rows, revived. A row wire skipped reaches the kernels as NaN and comes
 * back as the kernel's "NaN logit" error: wire's own error for it is reported instead (it says what was
 * wrong, with frame and byte offset).
 */
function rowErrorsOf(o: TaskOutput): Error[] {
  const why = new Map<number, SerializedError>();
  for (const w of o.wireErrors ?? []) {
    const row = w.props.row;
    if (typeof row === "number") why.set(row, w);
  }
  return o.errors.map((e) => {
    const row = e.props.row;
    return reviveError((typeof row === "number" && why.get(row)) || e);
  });
}

/** The global rows named by skipped-row errors; undefined when there are none. */
function skippedRowsOf(errors: readonly Error[]): Set<number> | undefined {
  if (errors.length === 0) return undefined;
  const skipped = new Set<number>();
  for (const e of errors) {
    const row = (e as { row?: unknown }).row;
    if (typeof row === "number") skipped.add(row);
  }
  return skipped;
}

/** The pool's stop promise, raced with the call's signal when there is one. */
function stopOf(poolStopped: Promise<never>, signal: AbortSignal | undefined): Promise<never> {
  if (signal === undefined) return poolStopped;
  const callStopped = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(jobAborted(signal.reason));
    else signal.addEventListener("abort", () => reject(jobAborted(signal.reason)), { once: true });
  });
  callStopped.catch(() => {});
  const stop = Promise.race([poolStopped, callStopped]);
  stop.catch(() => {});
  return stop;
}

/** Adds what main-thread parsing found (parse: "main") to a task's output. */
function withMainDecode(o: TaskOutput, main: MainDecode): TaskOutput {
  if (main.wireErrors !== undefined && main.wireErrors.length > 0)
    o.wireErrors = serializeWireErrors(main.wireErrors, main.skippedRows);
  if (main.failure !== undefined && o.failure === undefined) o.failure = serializeError(main.failure);
  return o;
}
