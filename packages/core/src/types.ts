/**
 * The interfaces that connect a model to the pipeline. They live in core so that the embedded model
 * (@logitstream/ngram) and the stream operators (@logitstream/stream) meet here without depending on
 * each other.
 */

/** Something that produces one logit row per step: a model, a remote server, the embedded n-gram LM. */
export interface LogitSource {
  /** Vocabulary size V: the length of every row `next` returns. */
  readonly vocabSize: number;
  /** End-of-sequence token id, if the model has one. */
  readonly eosId?: number;
  /**
   * Logits (or log-probabilities) for the token after `context`.
   * The returned row may be reused by the source on the next call: consume it before calling again.
   * Implementations should stop work and reject when `signal` aborts.
   */
  next(context: ArrayLike<number>, signal?: AbortSignalLike): Float32Array | Promise<Float32Array>;
}

/** Token ids ↔ bytes. Decoding works on bytes, so a token may end inside a multi-byte UTF-8 character. */
export interface Tokenizer {
  readonly vocabSize: number;
  /** The raw bytes of one token. */
  tokenBytes(id: number): Uint8Array;
  /** Text → token ids. */
  encode(text: string): number[];
}

/**
 * The part of the standard `AbortSignal` that core relies on, declared here because core compiles
 * without DOM or Node typings. A real `AbortSignal` satisfies it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}
