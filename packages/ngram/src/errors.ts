/**
 * Typed errors of @logitstream/ngram. Each extends core's `LogitstreamError`, carries a stable `code`,
 * says what was wrong and where, and keeps `cause` when there is one.
 */
import { LogitstreamError } from "@logitstream/core";

/** A model file that cannot be read: wrong magic, unknown version, truncated or corrupted payload. */
export class ModelFormatError extends LogitstreamError {
  /** Byte offset in the model file where the problem was found (-1 when it concerns the whole file). */
  readonly byteOffset: number;
  constructor(byteOffset: number, problem: string, options?: { cause?: unknown }) {
    super(
      "E_NGRAM_MODEL_FORMAT",
      `n-gram model file${byteOffset >= 0 ? ` at byte ${byteOffset}` : ""}: ${problem}. Re-create it with \`pnpm --filter @logitstream/ngram train\`.`,
      options,
    );
    this.byteOffset = byteOffset;
  }
}

/** A token id outside `[0, vocabSize)` (or not an integer) in a context or a training stream. */
export class TokenIdError extends LogitstreamError {
  /** Position of the bad id in the sequence that was passed. */
  readonly position: number;
  readonly token: number;
  constructor(position: number, token: number, vocabSize: number) {
    super(
      "E_NGRAM_TOKEN_ID",
      `token at position ${position} is ${token}: token ids must be integers in [0, ${vocabSize}). Encode text with the same tokenizer the model was trained on.`,
    );
    this.position = position;
    this.token = token;
  }
}
