/**
 * Typed errors of @logitstream/core. Every error names where the problem is (row, index, stage or
 * parameter) and what to do, carries a stable `code`, and keeps `cause` when there is one.
 */

/** Base class: every error thrown by logitstream packages extends it, so `instanceof LogitstreamError` catches them all. */
export class LogitstreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A logit row that cannot define a distribution: empty, NaN, +Infinity, or all -Infinity. */
export class InvalidLogitsError extends LogitstreamError {
  /** Row index in the batch or stream (global), or -1 when unknown. */
  readonly row: number;
  /** Offending element index within the row, or -1 when the row as a whole is bad. */
  readonly index: number;
  constructor(row: number, index: number, problem: string) {
    const where = row >= 0 ? `row ${row}` : "row";
    const at = index >= 0 ? `, index ${index}` : "";
    super(
      "E_INVALID_LOGITS",
      `${where}${at}: ${problem}. Logits must be finite numbers or -Infinity (banned token), with at least one finite value.`,
    );
    this.row = row;
    this.index = index;
  }
}

/** A sampler stage left no candidate token (e.g. every allowed token was filtered out). */
export class EmptyCandidatesError extends LogitstreamError {
  readonly row: number;
  readonly stage: string;
  constructor(row: number, stage: string) {
    super(
      "E_EMPTY_CANDIDATES",
      `${row >= 0 ? `row ${row}` : "row"}: no candidate token left after stage "${stage}". Loosen that filter or check for banned (-Infinity) logits.`,
    );
    this.row = row;
    this.stage = stage;
  }
}

/** A parameter outside its documented range, reported at construction time. */
export class InvalidParamsError extends LogitstreamError {
  readonly param: string;
  /**
   * The global row a parameter does not fit, when that depends on the row (a logit bias for a token
   * beyond a row's length, in a stream whose rows differ): so the rows before it are still delivered.
   * Absent for a parameter that is wrong whatever the row.
   */
  readonly row?: number;
  constructor(param: string, problem: string, row?: number) {
    super("E_INVALID_PARAMS", `invalid parameter "${param}": ${problem}`);
    this.param = param;
    if (row !== undefined) this.row = row;
  }
}

/** A target token id outside [0, V) (or, where "no target" is allowed, other than -1). */
export class InvalidTargetError extends LogitstreamError {
  /** Global row index, or -1 when unknown. */
  readonly row: number;
  readonly target: number;
  readonly vocab: number;
  constructor(row: number, target: number, vocab: number) {
    super(
      "E_INVALID_TARGET",
      `${row >= 0 ? `row ${row}` : "row"}: target ${target} is not a token id in [0, ${vocab}). Check the targets file or frame (use -1 for "no target").`,
    );
    this.row = row;
    this.target = target;
    this.vocab = vocab;
  }
}

/**
 * A stage's arithmetic pushed a finite logit past float32's range (+Infinity): e.g. a repetition
 * penalty below 1 on a logit near 3.4e38, or a logit bias of 2e38. The distribution would be
 * undefined, so the row fails here, naming the stage and token, instead of later as "no candidate left".
 */
export class LogitOverflowError extends LogitstreamError {
  /** Global row index, or −1 when unknown. */
  readonly row: number;
  readonly token: number;
  readonly stage: string;
  constructor(row: number, token: number, stage: string, detail: string) {
    super(
      "E_LOGIT_OVERFLOW",
      `${row >= 0 ? `row ${row}` : "row"}: the logit of token ${token} overflowed float32 (> 3.4028234663852886e38) in stage "${stage}" (${detail}). Lower that stage's parameter (or scale the logits down); logits are only meaningful up to a shift.`,
    );
    this.row = row;
    this.token = token;
    this.stage = stage;
  }
}

/**
 * A call was stopped by its `AbortSignal` (or its pool's); `cause` is the signal's reason. One class for
 * every package (pool, ngram, llama re-export it), so `instanceof AbortedError` holds whichever package
 * threw it; the message says what was stopped.
 */
export class AbortedError extends LogitstreamError {
  constructor(reason: unknown, message = "aborted by its AbortSignal") {
    super("E_ABORTED", message, { cause: reason });
  }
}
