/**
 * Typed errors of @logitstream/llama. Each extends core's `LogitstreamError`, carries a stable `code`,
 * says what was wrong and where, and keeps `cause` when there is one.
 */
import { LogitstreamError } from "@logitstream/core";

/** A GGUF model that cannot be loaded: missing, unreadable, not GGUF, truncated or corrupt. */
export class ModelLoadError extends LogitstreamError {
  /** The path that was given. */
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super("E_MODEL_LOAD", `cannot load the GGUF model ${JSON.stringify(path)}: ${problem}`, options);
    this.path = path;
  }
}

/** A token sequence longer than the model's context window (the `contextSize` it was loaded with). */
export class ContextOverflowError extends LogitstreamError {
  readonly tokens: number;
  readonly contextSize: number;
  constructor(tokens: number, contextSize: number) {
    super(
      "E_CONTEXT_OVERFLOW",
      `${tokens} tokens do not fit the context window of ${contextSize} tokens: load the model with a larger contextSize (CLI: --context N) or score long texts in sliding windows (--context, --stride)`,
    );
    this.tokens = tokens;
    this.contextSize = contextSize;
  }
}

/** A token id outside `[0, vocabSize)`, or an empty context where at least one token is needed. */
export class TokenIdError extends LogitstreamError {
  /** Position of the bad id in the sequence that was passed (-1: the sequence is empty). */
  readonly position: number;
  readonly token: number;
  constructor(position: number, token: number, vocabSize: number) {
    super(
      "E_LLAMA_TOKEN_ID",
      position < 0
        ? "the context is empty: a model needs at least one token (e.g. its BOS token) to predict the next"
        : `token at position ${position} is ${token}: token ids must be integers in [0, ${vocabSize})`,
    );
    this.position = position;
    this.token = token;
  }
}

/** The model was used after `dispose()`. */
export class ModelDisposedError extends LogitstreamError {
  constructor() {
    super("E_MODEL_DISPOSED", "the GGUF model was disposed: load it again to use it");
  }
}

/** llama.cpp failed while evaluating tokens (no KV slot, a backend error); `cause` is its error. */
export class EvaluationError extends LogitstreamError {
  constructor(problem: string, options?: { cause?: unknown }) {
    super("E_LLAMA_EVAL", `llama.cpp evaluation failed: ${problem}`, options);
  }
}
