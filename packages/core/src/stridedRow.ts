import { checkRow } from "./checkRow.js";
import { checkTarget } from "./checkTarget.js";
import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";

/** The option names of a one-row function's buffer and offset (checkStridedRow's default). */
const ROW_NAMES = { data: "data", offset: "offset" };

/**
 * One logit row inside a larger buffer — the fields every strided function of the softmax family
 * (`softmaxStrided`, `logSoftmaxStrided`, `logSumExpStrided`, `topLogprobs`, `entropyStrided`,
 * `crossEntropyStrided`) reads its row from. The two-input functions (`klDivergenceStrided`,
 * `softmaxBackwardStrided`) name each input's buffer and offset (`p`/`pOffset`, `y`/`yOffset`, …)
 * and share `length` (default: the rest of the first input) and, for the KL divergence, `row`.
 * Row r of a row-major `rows × V` batch is `{ data, offset: r * V, length: V, row: firstRow + r }`.
 *
 * Callers inside the library write every field, in declaration order (`{ data, offset, length, …,
 * row }`): the functions' property loads then see one object shape from the library, so an
 * application's own shape or two leaves them polymorphic, not megamorphic (V8: more than four shapes
 * at one load, each a hash lookup). The functions keep no reference
 * to the object, so a loop over rows may reuse one, setting `offset` (and `outOffset`, `row`) per row,
 * as softmaxBatch does.
 */
export interface StridedRow {
  /** The buffer holding the row: finite logits or -Infinity (banned tokens). */
  data: Float32Array;
  /** Index of the row's first element in `data`: an integer ≥ 0 (default 0). */
  offset?: number;
  /** Row length V: an integer ≥ 1 (default `data.length − offset`, the rest of the buffer). */
  length?: number;
  /** Global row index named in errors (default -1: unknown). */
  row?: number;
}

/**
 * The row length of `r` given its resolved offset: `r.length`, or the rest of the buffer when it is
 * omitted. Never throws: a missing `data` gives NaN, which fails the caller's window test, so the
 * typed error comes from {@link checkStridedRow} rather than a TypeError here.
 *
 * @param r - The row.
 * @param offset - `r.offset ?? 0`.
 * @returns The length to check and use.
 * @example
 * ```ts
 * rowLength({ data: new Float32Array(10), offset: 4 }, 4); // 6
 * ```
 */
export function rowLength(r: StridedRow, offset: number): number {
  return r.length ?? restLength(r.data, offset);
}

/**
 * The values of `data` from `offset` to its end: the default `length` of a strided function, taken
 * from its first (or only) input. Never throws: a missing `data` gives NaN (see {@link rowLength}).
 *
 * @param data - The buffer as given (may be missing in a JavaScript caller's object).
 * @param offset - The resolved offset.
 * @returns `data.length − offset`, or NaN.
 * @example
 * ```ts
 * restLength(new Float32Array(10), 4); // 6
 * ```
 */
export function restLength(data: Float32Array | undefined, offset: number): number {
  return (data?.length ?? Number.NaN) - offset;
}

/**
 * The fast path's test of a row: `data` is a Float32Array and `[offset, offset + length)` a non-empty
 * window of integers inside it. True for every well-formed call, so only a false answer costs more
 * (then {@link checkStridedRow} finds the error).
 *
 * @param data - The row's buffer as given.
 * @param offset - The resolved offset.
 * @param length - The resolved length.
 * @returns Whether the row's fields and window are well formed (its values are not looked at).
 * @example
 * ```ts
 * rowFits(new Float32Array(4), 1, 3); // true
 * rowFits(new Float32Array(4), 1.5, 2); // false
 * ```
 */
export function rowFits(data: Float32Array, offset: number, length: number): boolean {
  return length > 0 && windowFits(data, offset, length);
}

/**
 * The slow path of the strided functions, run only when their one-comparison-chain window test
 * failed: finds what is wrong and throws the typed error for it, in field order — `data` not a
 * Float32Array, `offset` or `length` not a non-negative integer, `offset` past the end, the window
 * `[offset, offset + length)` outside `data` (InvalidParamsError naming the field and, when known,
 * the row), then the row itself (checkRow: an empty row, NaN, +Infinity, all -Infinity). Returns normally when the row is fine,
 * so the caller goes on to check its output window.
 *
 * @param data - The row's buffer as given.
 * @param offset - The resolved offset.
 * @param length - The resolved length (see {@link rowLength}).
 * @param row - Global row index for the messages (-1: unknown).
 * @param names - The option names of the buffer and its offset, for the messages (default `data`,
 *   `offset`; klDivergenceStrided's rows are `p`/`pOffset` and `q`/`qOffset`).
 * @throws {InvalidParamsError} a bad field or a window outside `data`.
 * @throws {InvalidLogitsError} an empty row or a bad logit.
 * @example
 * ```ts
 * checkStridedRow(new Float32Array(4), -1, 2, 3); // throws: invalid parameter "offset": row 3: must be an integer ≥ 0 …, got -1
 * ```
 */
export function checkStridedRow(
  data: unknown,
  offset: unknown,
  length: unknown,
  row: number,
  names: { data: string; offset: string } = ROW_NAMES,
): void {
  if (!(data instanceof Float32Array)) {
    throw fieldError(names.data, "must be a Float32Array of logits", data, row);
  }
  if (!isCount(offset)) {
    throw fieldError(
      names.offset,
      "must be an integer ≥ 0 (the index of the row's first element)",
      offset,
      row,
    );
  }
  if (offset > data.length) throw pastEnd(names.offset, offset, data.length, row);
  // 0 passes here: an empty row is InvalidLogitsError (checkRow), as for a whole empty row.
  if (!isCount(length)) throw fieldError("length", "must be an integer ≥ 1 (the row length V)", length, row);
  if (offset + length > data.length) {
    // "row window" for the one row of most functions, "q window" for a named input.
    const label = names === ROW_NAMES ? "row" : names.data;
    throw new InvalidParamsError(
      names.offset,
      `${where(row)}${label} window [${offset}, ${offset + length}) is outside the buffer of ${data.length} values`,
      row >= 0 ? row : undefined,
    );
  }
  checkRow(data, offset, length, row);
}

/**
 * The fast path's test of an input window that is not a logit row (softmaxBackwardStrided's `y` and
 * `g`): `data` is a Float32Array and `[offset, offset + length)` a window of integers inside it, empty
 * allowed. Only a false answer costs more (then {@link checkStridedInput} finds the error).
 *
 * @param data - The buffer as given.
 * @param offset - The resolved offset.
 * @param length - The resolved length.
 * @returns Whether the window is well formed.
 * @example
 * ```ts
 * windowFits(new Float32Array(4), 4, 0); // true
 * ```
 */
export function windowFits(data: Float32Array, offset: number, length: number): boolean {
  return (
    data instanceof Float32Array &&
    Number.isInteger(offset) &&
    Number.isInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= data.length
  );
}

/**
 * The slow path of an input window that is not a logit row (its values are not checked), in field
 * order: `param` not a Float32Array, `offsetParam` not an integer ≥ 0 or past the end, `length` not an
 * integer ≥ 0, the window outside the buffer. Returns normally when the window is fine.
 *
 * @param param - The buffer's option name (`y`, `g`).
 * @param offsetParam - Its offset's option name (`yOffset`, `gOffset`).
 * @param data - The buffer as given.
 * @param offset - The resolved offset.
 * @param length - The resolved length.
 * @param row - Global row index for the messages (-1: unknown).
 * @throws {InvalidParamsError} naming `param`, `offsetParam` or "length".
 * @example
 * ```ts
 * checkStridedInput("g", "gOffset", new Float32Array(2), 1, 2, -1); // throws: invalid parameter "gOffset": g window [1, 3) is outside …
 * ```
 */
export function checkStridedInput(
  param: string,
  offsetParam: string,
  data: unknown,
  offset: unknown,
  length: unknown,
  row: number,
): void {
  if (!(data instanceof Float32Array)) throw fieldError(param, "must be a Float32Array", data, row);
  if (!isCount(offset)) {
    throw fieldError(offsetParam, "must be an integer ≥ 0 (the index of its first value)", offset, row);
  }
  if (offset > data.length) throw pastEnd(offsetParam, offset, data.length, row);
  if (!isCount(length))
    throw fieldError("length", "must be an integer ≥ 0 (the vector length V)", length, row);
  if (offset + length > data.length) {
    throw new InvalidParamsError(
      offsetParam,
      `${where(row)}${param} window [${offset}, ${offset + length}) is outside the buffer of ${data.length} values`,
      row >= 0 ? row : undefined,
    );
  }
}

/**
 * The output-window twin of {@link checkStridedRow}: `out` must be a `kind` (Float32Array, Int32Array,
 * Float64Array) and `[outOffset, outOffset + length)` must lie inside it.
 *
 * @param param - The field's name (`out`, `outIds`, `outLogprobs`, `grad`).
 * @param out - The output as given.
 * @param kind - The typed-array class it must be.
 * @param outOffset - The resolved output offset.
 * @param length - Values to be written.
 * @param row - Global row index for the messages (-1: unknown).
 * @param offsetParam - The offset's option name (default `outOffset`; crossEntropyStrided's is `gradOffset`).
 * @throws {InvalidParamsError} naming `param` or `offsetParam`.
 * @example
 * ```ts
 * checkStridedOut("out", new Float32Array(4), Float32Array, 2, 3, -1); // throws: output window [2, 5) is outside …
 * ```
 */
export function checkStridedOut(
  param: string,
  out: unknown,
  kind: typeof Float32Array | typeof Int32Array | typeof Float64Array,
  outOffset: unknown,
  length: number,
  row: number,
  offsetParam = "outOffset",
): void {
  if (!(out instanceof kind)) {
    throw fieldError(param, `must be ${kind === Int32Array ? "an" : "a"} ${kind.name}`, out, row);
  }
  if (!isCount(outOffset)) {
    throw fieldError(
      offsetParam,
      "must be an integer ≥ 0 (the index of the first value written)",
      outOffset,
      row,
    );
  }
  if (outOffset + length > out.length) {
    throw new InvalidParamsError(
      offsetParam,
      `${where(row)}output window [${outOffset}, ${outOffset + length}) is outside the buffer of ${out.length} values (${param})`,
      row >= 0 ? row : undefined,
    );
  }
}

/**
 * crossEntropyStrided's `target` when it fails the fast test (an integer in [0, V)): a value that is
 * not a number at all is a bad field (InvalidParamsError naming `target`); a number that is not a token
 * id of the row is InvalidTargetError, as everywhere else a target is read.
 *
 * @param target - The target as given.
 * @param length - The row length V.
 * @param row - Global row index for the messages (-1: unknown).
 * @throws {InvalidParamsError} `target` not a number.
 * @throws {InvalidTargetError} `target` not an integer in [0, V).
 * @example
 * ```ts
 * checkStridedTarget(undefined, 4, 5); // throws: invalid parameter "target": row 5: must be a token id, an integer in [0, 4), got undefined
 * ```
 */
export function checkStridedTarget(target: unknown, length: number, row: number): void {
  if (typeof target !== "number") {
    throw fieldError("target", `must be a token id, an integer in [0, ${length})`, target, row);
  }
  checkTarget(target, length, row);
}

function pastEnd(param: string, offset: number, size: number, row: number): InvalidParamsError {
  return new InvalidParamsError(
    param,
    `${where(row)}${param} ${offset} is past the end of the buffer of ${size} values`,
    row >= 0 ? row : undefined,
  );
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function where(row: number): string {
  return row >= 0 ? `row ${row}: ` : "";
}

function fieldError(param: string, rule: string, value: unknown, row: number): InvalidParamsError {
  return new InvalidParamsError(
    param,
    `${where(row)}${rule}, got ${describeValue(value)}`,
    row >= 0 ? row : undefined,
  );
}
