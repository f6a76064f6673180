import {
  checkCount,
  createSampler,
  describeValue,
  InvalidParamsError,
  type SampleBatchResult,
  type SamplerParams,
  sampleBatch,
  validateSamplerParams,
} from "@logitstream/core";
import { Observable, type OperatorFunction } from "rxjs";
import { type NormalBatch, toBatch, topEntries } from "../internal/frames.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import type { LogitFrame, TokenEvent } from "../types.js";

/**
 * What `sampleTokens(params, { mode: "rows", pool })` needs: @logitstream/pool's `createPool(...)` satisfies it. Row r of a batch
 * is sampled with RNG stream `firstRow + r`, as core's `sampleBatch` does.
 */
export interface SamplingPool {
  sample(
    batch: { data: Float32Array; rows: number; vocab: number; firstRow?: number },
    params?: SamplerParams,
    options?: { logprobs?: number; signal?: AbortSignal },
  ): Promise<Pick<SampleBatchResult, "tokens" | "logprobs" | "ranks" | "topTokens" | "topLogprobs">>;
}

/**
 * Options of {@link sampleTokens}: one of two semantics, chosen by `mode`. The options of one semantics
 * are not accepted with the other (a type error, and an `InvalidParamsError` at run time), so nothing a
 * caller passes is silently ignored. Either way the tokens do not depend on how the rows are grouped into
 * frames.
 */
export type SampleTokensOptions = SequenceOptions | RowsOptions;

/**
 * `mode: "sequence"` (default): the rows are consecutive steps of one sequence. One stateful sampler runs
 * over them: row i is drawn with `uniform(seed, stream, i)` and the penalties see the tokens sampled
 * before it. Events are numbered by position (`step` = i). Per-row `params` of a frame do not apply (a
 * sequence has one sampler). Runs inline: a pool cannot carry a sampler's state from row to row.
 */
interface SequenceOptions {
  mode?: "sequence";
  /** Report the N most likely tokens per row (`topLogprobs`). Default 0. */
  logprobs?: number;
  /** RNG stream of the sequence: the request id. Default 0. */
  stream?: number;
  pool?: never;
  concurrency?: never;
}

/**
 * `mode: "rows"`: every row is independent (the CLI's `sample`): row r, by global index, is drawn with
 * `uniform(seed, r, 0)` and a fresh penalty window, as core's `sampleBatch` does. Events carry the global
 * row index as `step`. Per-row `params` of a batch are merged over `params`. Inline, or on `pool`.
 */
interface RowsOptions {
  mode: "rows";
  /** Report the N most likely tokens per row (`topLogprobs`). Default 0. */
  logprobs?: number;
  /** No RNG stream to choose: row r is stream r. */
  stream?: never;
  /**
   * Sample the batches on this worker pool: up to `concurrency` frames in flight, events emitted in input
   * order, the same events as inline. Unsubscribing aborts the tasks in flight.
   */
  pool?: SamplingPool;
  /** Frames in flight on `pool` (an integer ≥ 1). Default 2. */
  concurrency?: number;
}

/** The most frames a caller may keep in flight on a pool (a bound on memory, not a tuning value). */
const MAX_CONCURRENCY = 1024;

/**
 * Refuses options that the chosen semantics would ignore (`pool` without `mode: "rows"`, `stream` with
 * it, `concurrency` without a pool): a JavaScript caller, or one that built the object loosely, gets the
 * mistake named when the pipeline is built instead of tokens drawn by the other semantics.
 */
function checkOptions(options: SampleTokensOptions): void {
  const o = options as { mode?: unknown; stream?: unknown; pool?: unknown; concurrency?: unknown };
  if (o.mode !== undefined && o.mode !== "sequence" && o.mode !== "rows") {
    throw new InvalidParamsError("mode", `must be "sequence" or "rows", got ${describeValue(o.mode)}`);
  }
  if (o.pool !== undefined && o.mode !== "rows") {
    throw new InvalidParamsError(
      "pool",
      'a pool samples every row independently (mode "rows"), not as steps of one sequence: pass { mode: "rows", pool }, or drop pool to sample a sequence inline',
    );
  }
  if (o.stream !== undefined && o.mode === "rows") {
    throw new InvalidParamsError(
      "stream",
      'mode "rows" draws row r from RNG stream r, so there is no stream to choose: drop stream, or use mode "sequence"',
    );
  }
  if (o.concurrency !== undefined) {
    if (o.pool === undefined) {
      throw new InvalidParamsError(
        "concurrency",
        "applies to sampling on a pool only: pass pool too, or drop concurrency",
      );
    }
    checkCount("concurrency", o.concurrency, MAX_CONCURRENCY, 1);
  }
}

/**
 * Logit frames → token events, with the core sampler chain (temperature, top-k, top-p, min-p,
 * penalties, …). A frame is a bare row (`Float32Array`), a row with metadata (`{ logits, id?, row? }`,
 * wire's `readRows`) or a batch (`{ data, rows, vocab, firstRow?, ids? }`, wire's `readBatches`); a batch
 * yields one event per row, in order, synchronously.
 *
 * The sampler is created per subscription (so re-subscribing repeats the run) and its state — RNG step,
 * penalty window — carries from row to row and frame to frame.
 *
 * @throws {InvalidParamsError} bad `params`, or options of the other mode (`pool` or `concurrency`
 * without `mode: "rows"`, `stream` with it), when the operator is built.
 *
 * @example
 * rows$.pipe(sampleTokens({ temperature: 0.7, topP: 0.9, seed: 7 }, { logprobs: 2 }))
 * // → { step: 0, token: 17, logprob: -0.41, rank: 1, topLogprobs: [{ token: 17, … }, { token: 3, … }] }, …
 * batches$.pipe(sampleTokens({ topP: 0.9, seed: 7 }, { mode: "rows", pool: createPool() }))
 */
export function sampleTokens(
  params: SamplerParams = {},
  options: SampleTokensOptions = {},
): OperatorFunction<LogitFrame, TokenEvent> {
  // Bad params are a mistake in the pipeline's construction: say so here, not at the first frame.
  validateSamplerParams(params);
  checkOptions(options);
  const logprobs = options.logprobs ?? 0;
  if (options.mode === "rows") {
    if (options.pool !== undefined)
      return sampleOnPool(params, options.pool, logprobs, options.concurrency ?? 2);
    return sampleRows(params, logprobs);
  }
  const stream = options.stream ?? 0;
  // One options object per subscription, `row` updated per row so an error names the step.
  return (source) =>
    new Observable<TokenEvent>((subscriber) => {
      const sampler = createSampler(params, { stream });
      const sampleOpts = logprobs > 0 ? { logprobs, row: 0 } : { row: 0 };
      let step = 0;
      subscribeLinked(source, subscriber, {
        next(frame) {
          const b = toBatch(frame, step);
          for (let r = 0; r < b.rows && !subscriber.closed; r++) {
            sampleOpts.row = step;
            const res = sampler.sampleStrided(b.data, r * b.vocab, b.vocab, sampleOpts);
            const event: TokenEvent = {
              step: step++,
              token: res.token,
              logprob: res.logprob,
              rank: res.rank,
            };
            if (res.topLogprobs !== undefined) event.topLogprobs = res.topLogprobs;
            if (b.ids !== undefined) event.id = b.ids[r];
            subscriber.next(event);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Emits one event per row of a batch result. */
function emitRows(
  subscriber: { next(e: TokenEvent): void; readonly closed: boolean },
  b: NormalBatch,
  res: Pick<SampleBatchResult, "tokens" | "logprobs" | "ranks" | "topTokens" | "topLogprobs">,
  logprobs: number,
): void {
  for (let r = 0; r < b.rows && !subscriber.closed; r++) {
    const event: TokenEvent = {
      step: b.firstRow + r,
      token: res.tokens[r]!,
      logprob: res.logprobs[r]!,
      rank: res.ranks[r]!,
    };
    if (logprobs > 0 && res.topTokens !== undefined && res.topLogprobs !== undefined) {
      event.topLogprobs = topEntries(res.topTokens, res.topLogprobs, r, Math.min(logprobs, b.vocab));
    }
    if (b.ids !== undefined) event.id = b.ids[r];
    subscriber.next(event);
  }
}

function rowParams(params: SamplerParams, b: NormalBatch): SamplerParams | SamplerParams[] {
  if (b.params === undefined) return params;
  return b.params.map((p) => (p === undefined ? params : { ...params, ...p }));
}

function sampleRows(params: SamplerParams, logprobs: number): OperatorFunction<LogitFrame, TokenEvent> {
  const opts = logprobs > 0 ? { logprobs } : {};
  return (source) =>
    new Observable<TokenEvent>((subscriber) => {
      let nextRow = 0;
      subscribeLinked(source, subscriber, {
        next(frame) {
          const b = toBatch(frame, nextRow);
          nextRow = b.firstRow + b.rows;
          const res = sampleBatch(b.data, b.rows, b.vocab, rowParams(params, b), {
            ...opts,
            firstRow: b.firstRow,
          });
          emitRows(subscriber, b, res, logprobs);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Ordered, bounded concurrency on the pool: frames queue in input order; at most `concurrency` are
 * being sampled; results are emitted strictly in input order as the head of the queue finishes.
 */
function sampleOnPool(
  params: SamplerParams,
  pool: SamplingPool,
  logprobs: number,
  concurrency: number,
): OperatorFunction<LogitFrame, TokenEvent> {
  interface Slot {
    batch: NormalBatch;
    started: boolean;
    result?: Awaited<ReturnType<SamplingPool["sample"]>>;
  }
  return (source) =>
    new Observable<TokenEvent>((subscriber) => {
      const controller = new AbortController();
      const queue: Slot[] = [];
      let inFlight = 0;
      let sourceDone = false;
      let nextRow = 0;

      const drain = (): void => {
        while (queue.length > 0 && queue[0]!.result !== undefined && !subscriber.closed) {
          const slot = queue.shift()!;
          emitRows(subscriber, slot.batch, slot.result!, logprobs);
        }
        if (sourceDone && queue.length === 0 && !subscriber.closed) subscriber.complete();
      };
      const pump = (): void => {
        for (let i = 0; i < queue.length && inFlight < concurrency; i++) {
          const slot = queue[i]!;
          if (slot.started) continue;
          slot.started = true;
          inFlight++;
          const b = slot.batch;
          const batch: Parameters<SamplingPool["sample"]>[0] & { params?: unknown } = {
            data: b.data,
            rows: b.rows,
            vocab: b.vocab,
            firstRow: b.firstRow,
          };
          if (b.params !== undefined) batch.params = [...b.params];
          const opts = logprobs > 0 ? { logprobs, signal: controller.signal } : { signal: controller.signal };
          pool.sample(batch, params, opts).then(
            (result) => {
              inFlight--;
              if (subscriber.closed) return;
              slot.result = result;
              drain();
              pump();
            },
            (err: unknown) => {
              inFlight--;
              if (!subscriber.closed) subscriber.error(err);
            },
          );
        }
      };

      subscribeLinked(source, subscriber, {
        next(frame) {
          const b = toBatch(frame, nextRow);
          nextRow = b.firstRow + b.rows;
          queue.push({ batch: b, started: false });
          pump();
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          sourceDone = true;
          drain();
        },
      });
      return () => {
        if (inFlight > 0) controller.abort();
      };
    });
}
