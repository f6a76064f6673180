import type { LogitSource, SamplerParams, Tokenizer } from "@logitstream/core";
import { Subscriber } from "rxjs";
import { type GenerateOptions, generate } from "./generate.js";
import { isFinishEvent } from "./isFinishEvent.js";
import { decodeText } from "./operators/decodeText.js";
import type { FinishEvent, GenerateEvent, TokenEvent } from "./types.js";

/** The callbacks of {@link generateWithCallbacks}. */
export interface GenerateCallbacks {
  /** Each token, in order; `text` is set when the tokenizer can decode (`tokenBytes`). */
  onToken(event: TokenEvent & { text?: string }): void;
  /**
   * The generation ended by itself, with its finish event (`"stop"` at EOS or a grammar's end,
   * `"length"` at `maxTokens`); not called after `cancel()` or an error.
   */
  onEnd?(finish: FinishEvent): void;
  /** The generation failed (the model threw, or `onToken` threw); nothing is called after it. */
  onError?(error: unknown): void;
}

/** What {@link generateWithCallbacks} returns. */
export interface GenerationHandle {
  /** Stops the generation: the model call in flight is aborted and no callback is called afterwards. */
  cancel(): void;
  /**
   * Settles when the generation is over: resolves at its end or on `cancel()`, rejects with its error.
   * When `onError` is given the rejection counts as handled (no unhandled-rejection warning).
   */
  readonly done: Promise<void>;
}

/** Options of {@link generateWithCallbacks}: `generate`'s, with a tokenizer that may also decode. */
export interface GenerateWithCallbacksOptions extends Omit<GenerateOptions, "tokenizer"> {
  /** Encodes a text prompt (`encode`) and, when it has `tokenBytes`, gives every event its `text`. */
  tokenizer?: Pick<Tokenizer, "encode"> & Partial<Pick<Tokenizer, "tokenBytes">>;
}

/**
 * `generate` for code that uses neither RxJS nor async iterators: starts the generation now and calls
 * `onToken` for each token, then `onEnd` — or `onError`. Returns a handle to cancel it and a promise of
 * its end. With a tokenizer that has `tokenBytes` (a core `Tokenizer`), each event carries the text it
 * completed, as `decodeText` gives it.
 *
 * @param source - A model (core's `LogitSource`).
 * @param prompt - Token ids, or text with `options.tokenizer`.
 * @param params - Sampler params (validated now: bad ones throw `InvalidParamsError` from this call).
 * @param callbacks - `onToken`, optional `onEnd` and `onError`.
 * @param options - `generate`'s options (`maxTokens`, `logprobs`, `stream`, `signal`, …).
 * @returns `{ cancel(), done }`.
 *
 * @example
 * ```ts
 * const run = generateWithCallbacks(model, "It was", { seed: 7 }, {
 *   onToken: (ev) => process.stdout.write(ev.text ?? ""),
 *   onEnd: () => process.stdout.write("\n"),
 * }, { tokenizer, maxTokens: 20 });
 * await run.done;
 * ```
 */
export function generateWithCallbacks(
  source: LogitSource,
  prompt: string | ArrayLike<number>,
  params: SamplerParams,
  callbacks: GenerateCallbacks,
  options: GenerateWithCallbacksOptions = {},
): GenerationHandle {
  const tokens$ = generate(source, prompt, params, options as GenerateOptions);
  const tokenizer = options.tokenizer;
  const events$ =
    tokenizer?.tokenBytes !== undefined
      ? tokens$.pipe(decodeText({ tokenBytes: tokenizer.tokenBytes.bind(tokenizer) }))
      : tokens$;
  let settle!: { resolve(): void; reject(e: unknown): void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  if (callbacks.onError !== undefined) done.catch(() => {});
  const fail = (error: unknown): void => {
    subscriber.unsubscribe();
    settle.reject(error);
    callbacks.onError?.(error);
  };
  // Created before subscribe() so cancel() — even from inside onToken of a synchronous model — stops it.
  let finish: FinishEvent = { finishReason: "stop", steps: 0 };
  const subscriber: Subscriber<GenerateEvent> = new Subscriber<GenerateEvent>({
    next(event) {
      if (isFinishEvent(event)) {
        finish = event;
        return;
      }
      try {
        callbacks.onToken(event);
      } catch (error) {
        fail(error);
      }
    },
    error: fail,
    complete() {
      settle.resolve();
      callbacks.onEnd?.(finish);
    },
  });
  // Started on the next microtask, so the caller has the handle before the first onToken.
  queueMicrotask(() => {
    if (!subscriber.closed) events$.subscribe(subscriber);
  });
  return {
    cancel() {
      if (subscriber.closed) return;
      subscriber.unsubscribe();
      settle.resolve();
    },
    done,
  };
}
