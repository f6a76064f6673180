import type { LogitSource, SamplerStage, Tokenizer, TopLogprob } from "@logitstream/core";
import {
  createSampler,
  InvalidParamsError,
  LogitstreamError,
  resolveSamplerParams,
  type SamplerParams,
  validateSamplerParams,
} from "@logitstream/core";
import { Observable, type SchedulerAction, type SchedulerLike } from "rxjs";
import { SourceError, StreamUsageError } from "./errors.js";
import { iterableFace } from "./internal/iterableFace.js";
import { joinPacers } from "./internal/joinPacers.js";
import type { Pacer } from "./pacer.js";
import type { FinishEvent, GenerateEvent, IterableObservable, TokenEvent } from "./types.js";

/** What `generate` needs from a sampler: core's `createSampler(...)` result satisfies it. */
export interface TokenSampler {
  sample(
    logits: Float32Array,
    options?: { logprobs?: number },
  ): { token: number; logprob: number; rank: number; topLogprobs?: TopLogprob[] | undefined };
  /** Feeds a token into the penalty window without sampling (used for the prompt with `penalizePrompt`). */
  accept?(token: number): void;
}

/** Options of {@link generate}. */
export interface GenerateOptions {
  /**
   * RNG stream: the request id. The uniform draw for token `step` is `uniform(seed, stream, step)`, so
   * two generations with different streams are independent, and one with the same (seed, stream, params)
   * repeats exactly, however many others run beside it. Default 0.
   */
  stream?: number;
  /** Report the N most likely tokens per step (`topLogprobs`). Default 0. */
  logprobs?: number;
  /** Complete after this many tokens. Default: no limit (use `stopWhen` or `take`). */
  maxTokens?: number;
  /**
   * Let the penalties (repetition, frequency, presence) see the prompt tokens too, as llama.cpp does;
   * default `false`: they see the generated tokens only (OpenAI's frequency/presence definition).
   */
  penalizePrompt?: boolean;
  /**
   * Complete when the source's `eosId` is sampled, without emitting it (as `stopWhen({ eos })` does, so
   * the end-of-text token's text never reaches the output); the finish event says `"stop"` with its
   * `eosToken`. Default `true`. With `false` the EOS event is emitted like any token (to read its logprob).
   */
  stopAtEos?: boolean;
  /** Needed when `prompt` is a string: it is encoded once per subscription. */
  tokenizer?: Pick<Tokenizer, "encode">;
  /** Backpressure from a sink (see `createPacer`): no `next` call is made while it is paused. */
  pacer?: Pacer;
  /**
   * Schedule each step on this scheduler (e.g. `asapScheduler` to let other work interleave with a
   * synchronous source, or a `TestScheduler` in tests). Default: none — an asynchronous source
   * continues in its promise callback, a synchronous one in a loop that checks for unsubscription.
   */
  scheduler?: SchedulerLike;
  /** External cancellation: aborting it errors the stream with the signal's reason. */
  signal?: AbortSignal;
  /** Replace the core sampler chain (e.g. a grammar-constrained sampler). Default: core's `createSampler`. */
  createSampler?: (params: SamplerParams, options: { stream: number }) => TokenSampler;
  /**
   * Constrain the output to a grammar: a sampler stage such as @logitstream/grammar's
   * `grammarStage(compileGrammar(...))`. Each subscription runs its own copy (cloned, then reset) as the
   * first stage of the chain, so every filter after it chooses among allowed tokens and EOS is drawn
   * only where the grammar may end; the run completes when `isComplete()` says nothing may follow.
   * Not with `createSampler` (put the stage in your own chain) or `penalizePrompt`.
   */
  grammar?: SamplerStage & { isComplete?(): boolean };
}

/**
 * The autoregressive loop as a cold `Observable` of token events: asks `source` for the logits after the
 * context, samples a token with the core sampler chain (state — RNG step, penalty window — carried from
 * step to step), emits it, appends it to the context and goes on.
 *
 * The last event is a `FinishEvent` saying why the run ended: `"stop"` (the source's `eosId` was
 * sampled: `eosToken`), `"length"` (`maxTokens` tokens), `"abort"` (`options.signal` aborted; the stream
 * then errors with its reason) or `"error"` (the source or the sampler failed; the stream then errors
 * with that error). Unknown keys in `options` are an `InvalidParamsError` (a misspelt or snake_case
 * option such as `max_tokens` would otherwise be ignored).
 *
 * Each subscription is one independent run with its own sampler and its own `AbortController`; the
 * signal is passed to every `source.next(context, signal)` call, and unsubscribing (directly, or through
 * `take`, `stopWhen`, …) aborts the call in flight and makes no further call. The context passed to
 * `next` is a read-only view of prompt + generated tokens, valid for as long as the source keeps it.
 * The sampler's penalties look at the generated tokens (and the prompt, with `penalizePrompt`).
 *
 * The result is also an `AsyncIterable` of the same events: `for await (const ev of generate(...))`
 * runs the loop one step ahead of the loop body (the iterator paces the source), and leaving the loop
 * early (`break`, `return`, an exception) unsubscribes, so the model call in flight is aborted.
 *
 * @param source a model: `vocabSize`, `next(context, signal)`, optional `eosId`
 * @param prompt token ids, or text when `options.tokenizer` is given
 * @param params sampler params (temperature, top-k, top-p, min-p, penalties, seed, …)
 * @example
 * for await (const ev of generate(model, ids, { seed: 7 }, { maxTokens: 16 })) console.log(ev.token);
 * @example
 * generate(model, tokenizer.encode("Once upon"), { temperature: 0.8, topP: 0.95, seed: 7 }, { stream: 42 })
 *   .pipe(decodeText(tokenizer), stopWhen({ maxTokens: 64, stopSequences: ["\n\n"] }))
 *   .subscribe((e) => process.stdout.write(e.text));
 */
export function generate(
  source: LogitSource,
  prompt: string | ArrayLike<number>,
  params: SamplerParams = {},
  options: GenerateOptions = {},
): IterableObservable<GenerateEvent> {
  // Bad params are a mistake in the call: throw here (InvalidParamsError), not on every subscription.
  checkOptionKeys(options);
  if (options.createSampler === undefined) validateSamplerParams(params);
  const grammar = options.grammar;
  if (grammar !== undefined && (options.createSampler !== undefined || options.penalizePrompt === true)) {
    throw new StreamUsageError(
      `generate: grammar cannot be combined with ${options.createSampler !== undefined ? "createSampler (put the grammar stage in your own chain)" : "penalizePrompt (the grammar would see the prompt)"}`,
    );
  }
  const stream = options.stream ?? 0;
  const logprobs = options.logprobs ?? 0;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  const eosId = options.stopAtEos === false ? undefined : source.eosId;
  // What the second-round stages need from the model: its EOS for minTokens, its tokenizer (when it is
  // a whole one) for DRY's sequence breakers and banned strings.
  const env: { eosIds?: number[]; tokenizer?: Tokenizer } = {};
  if (source.eosId !== undefined) env.eosIds = [source.eosId];
  const tok = options.tokenizer as Partial<Tokenizer> | undefined;
  if (tok?.tokenBytes !== undefined && tok.vocabSize !== undefined) env.tokenizer = tok as Tokenizer;
  const make =
    options.createSampler ??
    ((p: SamplerParams, o: { stream: number }) => createSampler(p, { ...o, ...env }));
  const { pacer, scheduler, signal: external } = options;

  const events$ = new Observable<GenerateEvent>((subscriber) => {
    let step = 0;
    // Every end goes through here: the finish event, then completion or the error.
    const end = (
      reason: FinishEvent["finishReason"],
      extra: Partial<FinishEvent> = {},
      err?: unknown,
    ): void => {
      if (subscriber.closed) return;
      subscriber.next({ finishReason: reason, steps: step, ...extra });
      if (reason === "abort" || reason === "error") subscriber.error(err);
      else subscriber.complete();
    };
    const failWith = (err: unknown): void => end("error", { error: errorInfo(err) }, err);
    let ids: ArrayLike<number>;
    if (typeof prompt === "string") {
      if (options.tokenizer === undefined) {
        failWith(new StreamUsageError("generate: a text prompt needs options.tokenizer (or pass token ids)"));
        return;
      }
      ids = options.tokenizer.encode(prompt);
    } else {
      ids = prompt;
    }
    if (maxTokens <= 0) {
      end("length");
      return;
    }
    let sampler: TokenSampler;
    let constraint: (SamplerStage & { isComplete?(): boolean }) | undefined;
    try {
      if (grammar !== undefined) {
        constraint = grammar.clone() as SamplerStage & { isComplete?(): boolean };
        constraint.reset?.();
        sampler = grammarSampler(params, stream, constraint, env);
      } else {
        sampler = make(params, { stream });
      }
      if (options.penalizePrompt === true && sampler.accept !== undefined) {
        for (let i = 0; i < ids.length; i++) sampler.accept(ids[i]!);
      }
    } catch (err) {
      failWith(err);
      return;
    }
    const vocab = source.vocabSize;
    const controller = new AbortController();
    let context = new Int32Array(Math.max(64, ids.length * 2));
    for (let i = 0; i < ids.length; i++) context[i] = ids[i]!;
    let length = ids.length;
    let inFlight = false;
    let cancelWait: (() => void) | undefined;

    const fail = (err: unknown): void => {
      failWith(err instanceof LogitstreamError ? err : new SourceError(step, describe(err), { cause: err }));
    };

    // Returns true when the loop should go on.
    const accept = (logits: unknown): boolean => {
      if (subscriber.closed) return false;
      if (!(logits instanceof Float32Array) || logits.length !== vocab) {
        fail(
          new SourceError(
            step,
            `expected a Float32Array of length ${vocab} (vocabSize), got ${logits instanceof Float32Array ? `length ${logits.length}` : typeof logits}`,
          ),
        );
        return false;
      }
      let r: ReturnType<TokenSampler["sample"]>;
      try {
        r = logprobs > 0 ? sampler.sample(logits, { logprobs }) : sampler.sample(logits);
      } catch (err) {
        failWith(err);
        return false;
      }
      if (r.token === eosId) {
        end("stop", { eosToken: r.token });
        return false;
      }
      const event: TokenEvent = { step, token: r.token, logprob: r.logprob, rank: r.rank };
      if (r.topLogprobs !== undefined) event.topLogprobs = r.topLogprobs;
      if (length === context.length) {
        const grown = new Int32Array(context.length * 2);
        grown.set(context);
        context = grown;
      }
      context[length++] = r.token;
      step++;
      subscriber.next(event);
      if (subscriber.closed) return false;
      if (step >= maxTokens) {
        end("length");
        return false;
      }
      if (constraint?.isComplete?.() === true) {
        end("stop");
        return false;
      }
      return true;
    };

    const run = (): void => {
      cancelWait = undefined;
      while (!subscriber.closed) {
        if (pacer?.paused) {
          cancelWait = pacer.onReady(schedule);
          return;
        }
        let result: Float32Array | Promise<Float32Array>;
        try {
          result = source.next(context.subarray(0, length), controller.signal);
        } catch (err) {
          fail(err);
          return;
        }
        if (result instanceof Float32Array || typeof (result as Promise<unknown>)?.then !== "function") {
          if (!accept(result)) return;
          if (scheduler !== undefined) {
            schedule();
            return;
          }
          continue;
        }
        inFlight = true;
        (result as Promise<Float32Array>).then(
          (logits) => {
            inFlight = false;
            if (accept(logits)) schedule();
          },
          (err: unknown) => {
            inFlight = false;
            fail(err);
          },
        );
        return;
      }
    };
    const schedule = (): void => {
      if (subscriber.closed) return;
      if (scheduler === undefined) {
        run();
        return;
      }
      // The action removes itself from the subscriber once it ran, so a long run does not pile up teardowns.
      subscriber.add(
        scheduler.schedule(function (this: SchedulerAction<unknown>) {
          run();
          this.unsubscribe();
        }),
      );
    };

    const onExternalAbort = (): void => end("abort", {}, external!.reason);
    if (external !== undefined) {
      if (external.aborted) {
        onExternalAbort();
        return;
      }
      external.addEventListener("abort", onExternalAbort, { once: true });
    }
    subscriber.add(() => {
      cancelWait?.();
      cancelWait = undefined;
      external?.removeEventListener("abort", onExternalAbort);
      // Abort only a call that is still running: a finished run has nothing to stop.
      if (inFlight) controller.abort();
    });
    schedule();
  });
  // for await: the same loop, paced by the iterator (and by the caller's pacer, if any).
  return iterableFace(events$, (own) =>
    generate(source, prompt, params, { ...options, pacer: joinPacers(options.pacer, own) }),
  );
}

/**
 * Core's sampler with `stage` first in the chain (before the first stage of the params' order), so
 * every filter after it chooses among the tokens it allows.
 */
function grammarSampler(
  params: SamplerParams,
  stream: number,
  stage: SamplerStage,
  env: { eosIds?: number[]; tokenizer?: Tokenizer },
): TokenSampler {
  const first = resolveSamplerParams(params).samplers[0];
  // A variable, not a literal: `stages` (custom stages at a named place) is newer than some cores.
  const options = { stream, stages: [{ stage, before: first }], ...env };
  const sampler = createSampler(params, options);
  if (!sampler.stages.includes(stage)) (sampler.stages as SamplerStage[]).unshift(stage);
  return sampler;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An error as a finish event carries it: its code when it has one, and its message. */
function errorInfo(err: unknown): { code?: string; message: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? { code, message: describe(err) } : { message: describe(err) };
}

const OPTION_KEYS: ReadonlySet<string> = new Set<keyof GenerateOptions>([
  "stream",
  "logprobs",
  "maxTokens",
  "penalizePrompt",
  "stopAtEos",
  "tokenizer",
  "pacer",
  "scheduler",
  "signal",
  "createSampler",
  "grammar",
]);

/** An unknown option (`max_tokens`, `maxToken`) is a mistake that would otherwise be silently ignored. */
function checkOptionKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new InvalidParamsError(
        key,
        `generate: unknown option "${key}"; the options are ${[...OPTION_KEYS].join(", ")} (sampler params such as temperature go in the third argument)`,
      );
    }
  }
}
