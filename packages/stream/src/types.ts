import type { TopLogprob } from "@logitstream/core";
import type { Observable } from "rxjs";

/**
 * Event and frame types that flow through the operators. Frames are structural, so the rows and
 * batches produced by @logitstream/wire's readers (`readRows`, `readBatches`) are frames as they are.
 */

/** One sampled token. */
export interface TokenEvent {
  /** Token position: 0 for the first generated token (or the global row index for independent rows). */
  step: number;
  token: number;
  /** log p(token) under the raw distribution (log_softmax of the untouched logits). */
  logprob: number;
  /** 1 + the number of tokens with a strictly higher logit. */
  rank: number;
  /** The N most likely tokens, when requested with `logprobs: N`. */
  topLogprobs?: TopLogprob[];
  /** The frame's `id`, when it had one. */
  id?: unknown;
}

/** A token event with the text it completed (`decodeText`). `text` is `""` while a character is incomplete. */
export type TextEvent<T extends { token: number } = TokenEvent> = T & { text: string };

/** One logit row with optional metadata (the shape of @logitstream/wire's `readRows` items). */
export interface RowFrame {
  logits: Float32Array;
  /** Global row index. */
  row?: number;
  id?: unknown;
  target?: number;
}

/** `rows × vocab` logits, row-major (the shape of @logitstream/wire's `RowBatch`). */
export interface BatchFrame {
  data: Float32Array;
  rows: number;
  vocab: number;
  /** Global index of row 0. */
  firstRow?: number;
  ids?: readonly unknown[];
  /** Target token per row, -1 = none. */
  targets?: Int32Array | readonly number[];
}

/** What the frame operators accept: a bare row, a row with metadata, or a batch. */
export type LogitFrame = Float32Array | RowFrame | BatchFrame;

/** Why `stopWhen` ended a stream (its `onStop` callback). */
export type StopReason = "eos" | "length" | "stop";

/**
 * Why a generation ended, in OpenAI's `finish_reason` words plus the two other ways a stream ends:
 * `"stop"` (the end-of-text token or a stop string), `"length"` (maxTokens), `"abort"` (the signal
 * was aborted), `"error"` (the model, the sampler or the input failed).
 */
export type FinishReason = "stop" | "length" | "abort" | "error";

/**
 * The last event of a generation: why it ended. `generate` emits it after its last token; `stopWhen`
 * emits its own when it ends the stream (a stop string, EOS, maxTokens) and passes one from upstream
 * through; `decodeText` passes it through. After `"abort"` and `"error"` the stream errors (with the
 * signal's reason or the error); after `"stop"` and `"length"` it completes. Tell it from a token event
 * with `isFinishEvent`.
 */
export interface FinishEvent {
  finishReason: FinishReason;
  /** Tokens emitted before the end. */
  steps: number;
  /** `"stop"` at a stop string: which one. */
  stopSequence?: string;
  /** `"stop"` at the end-of-text token: its id. */
  eosToken?: number;
  /** `"error"`: the error's code (when it has one) and message. */
  error?: { code?: string; message: string };
}

/** What `generate` emits: token events, then one finish event. */
export type GenerateEvent = TokenEvent | FinishEvent;

/** Reported by `stopWhen`'s `onStop` callback. */
export interface StopInfo {
  reason: StopReason;
  /** Step of the token that triggered the stop. */
  step: number;
  /** The stop sequence that matched (reason `"stop"`). */
  sequence?: string;
}

/**
 * An Observable that is also an `AsyncIterable` of the same items (what `generate` returns):
 * subscribe or pipe it as RxJS, or `for await` over it — leaving the loop early unsubscribes.
 */
export type IterableObservable<T> = Observable<T> & AsyncIterable<T>;
