/**
 * Typed errors of @logitstream/stream. Each names where the problem is (step, token) and what to do,
 * carries a stable `code`, and keeps `cause`.
 */
import { LogitstreamError } from "@logitstream/core";

/** The token bytes are not valid UTF-8 (only raised by `decodeText(tokenizer, { fatal: true })`). */
export class InvalidUtf8Error extends LogitstreamError {
  /** Step of the token whose bytes could not be decoded (for an incomplete tail: the last step). */
  readonly step: number;
  constructor(step: number, problem: string, options?: { cause?: unknown }) {
    super(
      "E_INVALID_UTF8",
      `step ${step}: ${problem}. The tokens do not form valid UTF-8; use decodeText without { fatal: true } to get U+FFFD instead.`,
      options,
    );
    this.step = step;
  }
}

/** The `LogitSource` failed (threw, rejected, or returned a row of the wrong length) during `generate`. */
export class SourceError extends LogitstreamError {
  /** Token position the source was asked for. */
  readonly step: number;
  constructor(step: number, problem: string, options?: { cause?: unknown }) {
    super("E_SOURCE", `step ${step}: the logit source failed: ${problem}`, options);
    this.step = step;
  }
}

/** An operator received an event it cannot work with, e.g. `stopWhen({ stopSequences })` without text. */
export class StreamUsageError extends LogitstreamError {
  constructor(problem: string) {
    super("E_STREAM_USAGE", problem);
  }
}
