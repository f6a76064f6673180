// Shared by the strided functions' option tests (stridedRow.test.ts, stridedRow.measures.test.ts): the
// rules their messages state, the bad row-field cases every function that takes a StridedRow must reject
// alike, and the check of an InvalidParamsError. Every message is written out by hand from its rule.
import { expect } from "vitest";
import { InvalidParamsError } from "../src/index.js";

export const RULE_OFFSET = "must be an integer ≥ 0 (the index of the row's first element)";
export const RULE_LENGTH = "must be an integer ≥ 1 (the row length V)";
export const RULE_OUT_OFFSET = "must be an integer ≥ 0 (the index of the first value written)";

/** One bad field: the patch over a well-formed call, and the error it must give. */
export interface StridedCase {
  field: string;
  patch: Record<string, unknown>;
  param: string;
  message: string;
}

/**
 * A bad field of a StridedRow over the 4-value row `[0, 1, 2, 3]` at row 5: the same error from every
 * function that takes one.
 */
export const ROW_CASES: StridedCase[] = [
  {
    field: "data missing",
    patch: { data: undefined },
    param: "data",
    message: "row 5: must be a Float32Array of logits, got undefined",
  },
  {
    field: "data a plain array",
    patch: { data: [0, 1] },
    param: "data",
    message: "row 5: must be a Float32Array of logits, got an array",
  },
  {
    field: "data a Float64Array",
    patch: { data: new Float64Array(4) },
    param: "data",
    message: "row 5: must be a Float32Array of logits, got a Float64Array",
  },
  {
    field: "negative offset",
    patch: { offset: -1 },
    param: "offset",
    message: `row 5: ${RULE_OFFSET}, got -1`,
  },
  {
    field: "fractional offset",
    patch: { offset: 1.5 },
    param: "offset",
    message: `row 5: ${RULE_OFFSET}, got 1.5`,
  },
  {
    field: "offset a string",
    patch: { offset: "1" },
    param: "offset",
    message: `row 5: ${RULE_OFFSET}, got "1" (a string)`,
  },
  {
    field: "offset past the end (length omitted)",
    patch: { offset: 5 },
    param: "offset",
    message: "row 5: offset 5 is past the end of the buffer of 4 values",
  },
  {
    field: "fractional length",
    patch: { length: 2.5 },
    param: "length",
    message: `row 5: ${RULE_LENGTH}, got 2.5`,
  },
  {
    field: "negative length",
    patch: { length: -1 },
    param: "length",
    message: `row 5: ${RULE_LENGTH}, got -1`,
  },
  {
    field: "NaN length",
    patch: { length: Number.NaN },
    param: "length",
    message: `row 5: ${RULE_LENGTH}, got NaN`,
  },
  {
    field: "window past the end",
    patch: { offset: 2, length: 3 },
    param: "offset",
    message: "row 5: row window [2, 5) is outside the buffer of 4 values",
  },
];

/** Calls `call(patch)` and returns what it threw. */
export function thrown(
  call: (patch: Record<string, unknown>) => unknown,
  patch: Record<string, unknown>,
): unknown {
  try {
    call(patch);
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The error is an InvalidParamsError on `param` with exactly `message`, and carries `row` (or none). */
export function expectParamsError(
  caught: unknown,
  param: string,
  message: string,
  row: number | undefined,
): void {
  expect(caught).toBeInstanceOf(InvalidParamsError);
  const err = caught as InvalidParamsError;
  expect(err.param).toBe(param);
  expect(err.row).toBe(row);
  expect(err.message).toBe(`invalid parameter "${param}": ${message}`);
}
