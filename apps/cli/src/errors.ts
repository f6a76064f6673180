import { LogitstreamError } from "@logitstream/core";
import { ADVANCED_PARAM_FLAGS } from "./advancedParamFlags.js";
import { ExitCode, type ExitCodeValue } from "./exitCodes.js";

/** A bad flag or argument. `flag` is the flag as typed (`--top-p`), or the argument name. */
export class UsageError extends Error {
  readonly flag: string | undefined;
  constructor(message: string, flag?: string) {
    super(message);
    this.name = "UsageError";
    this.flag = flag;
  }
}

/** The input path cannot be opened (missing, a directory, no permission). */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}

/** A prompt read from a file or stdin that is not text (invalid UTF-8): bad data, exit 65. */
export class PromptError extends LogitstreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_CLI_PROMPT", message, options);
    this.name = "PromptError";
  }
}

/** The run was stopped by a signal; complete records were flushed before exiting. */
export class StoppedError extends Error {
  readonly signal: "SIGINT" | "SIGTERM";
  constructor(signal: "SIGINT" | "SIGTERM") {
    super(`stopped by ${signal}`);
    this.name = "StoppedError";
    this.signal = signal;
  }
}

/** Our stdout was closed by its reader (EPIPE): the run ends quietly with exit 0. */
export class OutputClosedError extends Error {
  constructor() {
    super("stdout closed by the reader");
    this.name = "OutputClosedError";
  }
}

/** Writing to stdout failed for another reason than a closed pipe (disk full, I/O error). */
export class OutputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutputError";
  }
}

/** Maps a package parameter name (SamplerParams / read options) to the flag that sets it. */
const PARAM_FLAGS: Record<string, string> = {
  temperature: "--temperature",
  topK: "--top-k",
  topP: "--top-p",
  minP: "--min-p",
  typicalP: "--typical-p",
  topNSigma: "--top-n-sigma",
  repetitionPenalty: "--repetition-penalty",
  frequencyPenalty: "--frequency-penalty",
  presencePenalty: "--presence-penalty",
  penaltyWindow: "--penalty-window",
  logitBias: "--logit-bias",
  seed: "--seed",
  samplers: "--samplers",
  logprobs: "--logprobs",
  top: "--top",
  vocab: "--vocab",
  tensor: "--tensor",
  format: "--format",
  maxTokens: "--max-tokens",
  threads: "--threads",
};

/** The flag that sets a package parameter, for messages (`topP` → `--top-p`). */
function flagForParam(param: string): string | undefined {
  return PARAM_FLAGS[param] ?? ADVANCED_PARAM_FLAGS[param];
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string";
}

/**
 * What the CLI does with an error: the exit code and the line for stderr (empty for a quiet exit).
 * Package errors are recognised by their stable `code`, never by message text.
 */
export function describeError(err: unknown): { exitCode: ExitCodeValue; message: string } {
  if (err instanceof OutputClosedError) return { exitCode: ExitCode.ok, message: "" };
  if (err instanceof StoppedError) {
    return { exitCode: err.signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm, message: "" };
  }
  if (err instanceof UsageError) return { exitCode: ExitCode.usage, message: err.message };
  if (err instanceof InputError) return { exitCode: ExitCode.noInput, message: err.message };
  if (err instanceof OutputError) return { exitCode: ExitCode.ioError, message: err.message };
  // A distributed run (--queue): Redis unreachable is not bad data; a bad URL or a --job-id that cannot
  // be resumed is a bad argument.
  if (err instanceof LogitstreamError && err.code === "E_QUEUE_UNAVAILABLE") {
    return { exitCode: ExitCode.unavailable, message: err.message };
  }
  // --tensor names no tensor of the file (or several and none is named): the flag is wrong, not the data.
  if (err instanceof LogitstreamError && err.code === "E_WIRE_TENSOR") {
    return { exitCode: ExitCode.usage, message: err.message };
  }
  if (err instanceof LogitstreamError && (err.code === "E_QUEUE_URL" || err.code === "E_QUEUE_RESUME")) {
    return { exitCode: ExitCode.usage, message: err.message };
  }
  // The pool's workers could not load (a broken installation): not the data, and nothing was computed.
  if (err instanceof LogitstreamError && err.code === "E_WORKER_START") {
    return { exitCode: ExitCode.internal, message: err.message };
  }
  // Every package error that reaches here came from the data (a row, a frame, a frame's params):
  // flag values were checked before the run by `checkFlagParams`.
  if (err instanceof LogitstreamError) return { exitCode: ExitCode.dataError, message: err.message };
  if (isErrnoException(err) && err.code === "EPIPE") return { exitCode: ExitCode.ok, message: "" };
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: ExitCode.internal, message: `internal error: ${message}` };
}

/**
 * Runs a package's parameter validation on values that came from flags, before any data is read: its
 * InvalidParamsError becomes a UsageError naming the flag (exit 2). The same error raised later, by a
 * frame's own params or a malformed row, is bad data (exit 65).
 */
export function checkFlagParams(validate: () => void): void {
  try {
    validate();
  } catch (err) {
    if (err instanceof LogitstreamError && err.code === "E_INVALID_PARAMS") {
      const param = (err as LogitstreamError & { param?: string }).param;
      const flag = param === undefined ? undefined : flagForParam(param);
      throw new UsageError(flag ? `${flag}: ${err.message}` : err.message, flag);
    }
    throw err;
  }
}

/** Text given to `score --text` / `logits` that is not UTF-8; `byteOffset` is the first bad byte's. */
export class InvalidTextError extends LogitstreamError {
  readonly byteOffset: number;
  constructor(source: string, byteOffset: number) {
    super(
      "E_INVALID_TEXT",
      `${source}: not UTF-8 text (invalid byte sequence at byte ${byteOffset}); convert it to UTF-8 first (e.g. iconv -t UTF-8)`,
    );
    this.byteOffset = byteOffset;
  }
}
