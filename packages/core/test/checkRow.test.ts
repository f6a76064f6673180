import { describe, expect, it } from "vitest";
import { checkRow } from "../src/checkRow.js";
import { InvalidLogitsError, InvalidParamsError } from "../src/index.js";

function thrown(fn: () => unknown): InvalidLogitsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidLogitsError) return e;
    throw e;
  }
  throw new Error("expected InvalidLogitsError");
}

describe("checkRow", () => {
  it("returns the maximum of a valid row, ignoring -Infinity entries", () => {
    expect(checkRow(new Float32Array([0, 3, Number.NEGATIVE_INFINITY, 1]), 0, 4, 0)).toBe(3);
    expect(checkRow(new Float32Array([-5, -7]), 0, 2, 0)).toBe(-5);
  });

  it("reads only the row at the given offset and length", () => {
    const data = new Float32Array([100, Number.NaN, 2, 9, 4, Number.POSITIVE_INFINITY]);
    expect(checkRow(data, 2, 3, 1)).toBe(9);
  });

  it("rejects an empty row with index -1 and names the row", () => {
    const e = thrown(() => checkRow(new Float32Array(4), 2, 0, 11));
    expect(e.row).toBe(11);
    expect(e.index).toBe(-1);
    expect(e.message).toContain("row 11: empty row");
  });

  it("rejects a NaN and reports its index within the row", () => {
    const e = thrown(() => checkRow(new Float32Array([9, 9, 1, Number.NaN, 2]), 2, 3, 4));
    expect(e.row).toBe(4);
    expect(e.index).toBe(1);
    expect(e.message).toContain("NaN");
  });

  it("rejects +Infinity and reports its index within the row", () => {
    const e = thrown(() => checkRow(new Float32Array([1, Number.POSITIVE_INFINITY, 3]), 0, 3, 0));
    expect(e.index).toBe(1);
    expect(e.message).toContain("+Infinity");
  });

  it("reports the first bad value in row order when several are present", () => {
    expect(
      thrown(() => checkRow(new Float32Array([0, Number.POSITIVE_INFINITY, Number.NaN]), 0, 3, 0)).index,
    ).toBe(1);
    expect(
      thrown(() => checkRow(new Float32Array([Number.NaN, Number.POSITIVE_INFINITY]), 0, 2, 0)).index,
    ).toBe(0);
  });

  it("rejects a row whose every logit is -Infinity", () => {
    const e = thrown(() =>
      checkRow(new Float32Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]), 0, 2, 3),
    );
    expect(e.row).toBe(3);
    expect(e.index).toBe(-1);
    expect(e.message).toContain("-Infinity");
  });

  it("rejects a window that does not fit in the buffer instead of reading past its end", () => {
    const data = new Float32Array(4);
    expect(() => checkRow(data, 2, 3, 0)).toThrow(InvalidParamsError);
    expect(() => checkRow(data, -1, 2, 0)).toThrow(InvalidParamsError);
    expect(checkRow(data, 2, 2, 0)).toBe(0);
  });
});
