import { describe, expect, it } from "vitest";
import {
  InvalidLogitsError,
  InvalidParamsError,
  logSoftmaxStrided,
  logSumExpStrided,
  softmaxBatch,
  softmaxStrided,
  topLogprobs,
} from "../src/index.js";
import { expectParamsError, ROW_CASES, RULE_OFFSET, RULE_OUT_OFFSET, thrown } from "./stridedRowCases.js";

// The options object of the four strided functions: the defaults of `offset` / `length` / `outOffset`,
// and the typed error for each field that is missing or wrong. Every expected message below is written
// out by hand from the rule it states, not taken from a run.

const data = Float32Array.from([0, 1, 2, 3]);

/** Each function called with a well-formed base (row 5, whole buffer) overridden by `patch`. */
const FUNCTIONS: { name: string; call: (patch: Record<string, unknown>) => unknown }[] = [
  {
    name: "softmaxStrided",
    call: (patch) => softmaxStrided({ data, out: new Float32Array(4), row: 5, ...patch } as never),
  },
  {
    name: "logSoftmaxStrided",
    call: (patch) => logSoftmaxStrided({ data, out: new Float32Array(4), row: 5, ...patch } as never),
  },
  { name: "logSumExpStrided", call: (patch) => logSumExpStrided({ data, row: 5, ...patch } as never) },
  {
    name: "topLogprobs",
    call: (patch) =>
      topLogprobs({
        data,
        n: 2,
        outIds: new Int32Array(2),
        outLogprobs: new Float64Array(2),
        row: 5,
        ...patch,
      } as never),
  },
];

describe("the strided functions' options object", () => {
  for (const f of FUNCTIONS) {
    it.each(ROW_CASES)(
      `${f.name}: $field → InvalidParamsError on "$param" naming row 5`,
      ({ patch, param, message }) => expectParamsError(thrown(f.call, patch), param, message, 5),
    );

    it(`${f.name}: an empty row (length 0, or offset at the end with length omitted) is InvalidLogitsError`, () => {
      for (const patch of [{ length: 0 }, { offset: 4 }]) {
        expect(() => f.call(patch)).toThrow(
          "row 5: empty row (vocabulary size 0). Logits must be finite numbers or -Infinity (banned token), with at least one finite value.",
        );
        expect(() => f.call(patch)).toThrow(InvalidLogitsError);
      }
    });

    it(`${f.name}: without a row index the message has no row and the error no row field`, () => {
      let caught: unknown;
      try {
        f.call({ row: undefined, offset: -1 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidParamsError);
      expect((caught as InvalidParamsError).message).toBe(
        `invalid parameter "offset": ${RULE_OFFSET}, got -1`,
      );
      expect((caught as InvalidParamsError).row).toBeUndefined();
    });
  }

  /** A bad output field of softmaxStrided / logSoftmaxStrided (row of 4 values, row 5). */
  const OUT_CASES: { field: string; patch: Record<string, unknown>; param: string; message: string }[] = [
    {
      field: "out missing",
      patch: { out: undefined },
      param: "out",
      message: "row 5: must be a Float32Array, got undefined",
    },
    {
      field: "out a Float64Array",
      patch: { out: new Float64Array(4) },
      param: "out",
      message: "row 5: must be a Float32Array, got a Float64Array",
    },
    {
      field: "negative outOffset",
      patch: { outOffset: -1 },
      param: "outOffset",
      message: `row 5: ${RULE_OUT_OFFSET}, got -1`,
    },
    {
      field: "fractional outOffset",
      patch: { outOffset: 0.5 },
      param: "outOffset",
      message: `row 5: ${RULE_OUT_OFFSET}, got 0.5`,
    },
    {
      field: "output window past the end",
      patch: { outOffset: 1 },
      param: "outOffset",
      message: "row 5: output window [1, 5) is outside the buffer of 4 values (out)",
    },
  ];
  for (const f of FUNCTIONS.slice(0, 2)) {
    it.each(OUT_CASES)(`${f.name}: $field → InvalidParamsError on "$param"`, ({ patch, param, message }) => {
      expect(() => f.call(patch)).toThrow(InvalidParamsError);
      expect(() => f.call(patch)).toThrow(`invalid parameter "${param}": ${message}`);
    });
  }

  /** topLogprobs' outputs (n = 2, row 5). */
  it.each([
    {
      field: "outIds missing",
      patch: { outIds: undefined },
      param: "outIds",
      message: "row 5: must be an Int32Array, got undefined",
    },
    {
      field: "outLogprobs a Float32Array",
      patch: { outLogprobs: new Float32Array(2) },
      param: "outLogprobs",
      message: "row 5: must be a Float64Array, got a Float32Array",
    },
    {
      field: "fractional outOffset",
      patch: { outOffset: 0.5 },
      param: "outOffset",
      message: `row 5: ${RULE_OUT_OFFSET}, got 0.5`,
    },
    {
      field: "outIds too short from outOffset",
      patch: { outOffset: 1 },
      param: "outOffset",
      message: "row 5: output window [1, 3) is outside the buffer of 2 values (outIds)",
    },
    {
      field: "outLogprobs shorter than n",
      patch: { outLogprobs: new Float64Array(1) },
      param: "outOffset",
      message: "row 5: output window [0, 2) is outside the buffer of 1 values (outLogprobs)",
    },
  ])('topLogprobs: $field → InvalidParamsError on "$param"', ({ patch, param, message }) => {
    const call = FUNCTIONS[3]!.call;
    expect(() => call(patch)).toThrow(InvalidParamsError);
    expect(() => call(patch)).toThrow(`invalid parameter "${param}": ${message}`);
  });

  it("reads the rest of the buffer when length is omitted, from offset 0 when offset is", () => {
    // softmax([2, 3]) = [1, e] / (1 + e); log-sum-exp 3 + log(1 + e^-1); both by hand.
    const e = Math.E;
    const p = [1 / (1 + e), e / (1 + e)];
    const out = new Float32Array(2);
    softmaxStrided({ data, offset: 2, out });
    expect(Math.abs(out[0]! - p[0]!)).toBeLessThan(1e-7);
    expect(Math.abs(out[1]! - p[1]!)).toBeLessThan(1e-7);
    logSoftmaxStrided({ data, offset: 2, out });
    expect(Math.abs(out[0]! - Math.log(p[0]!))).toBeLessThan(1e-6);
    expect(Math.abs(logSumExpStrided({ data, offset: 2 }) - (3 + Math.log1p(1 / e)))).toBeLessThan(1e-6);
    // Whole buffer [0, 1, 2, 3]: log-sum-exp = 3 + log(1 + e^-1 + e^-2 + e^-3).
    expect(Math.abs(logSumExpStrided({ data }) - (3 + Math.log(1 + 1 / e + e ** -2 + e ** -3)))).toBeLessThan(
      1e-6,
    );
    const ids = new Int32Array(4);
    const lps = new Float64Array(4);
    expect(topLogprobs({ data, n: 4, outIds: ids, outLogprobs: lps })).toBe(4);
    expect(Array.from(ids)).toEqual([3, 2, 1, 0]);
  });

  it("lets a loop reuse one options object, row after row (nothing of it is kept)", () => {
    const rows = 3;
    const v = 4;
    const batch = Float32Array.from({ length: rows * v }, (_, i) => Math.cos(i));
    const viaBatch = new Float32Array(rows * v);
    softmaxBatch(batch, rows, v, viaBatch, { temperature: 0.7 });
    const reused = new Float32Array(rows * v);
    const o = { data: batch, offset: 0, length: v, out: reused, outOffset: 0, temperature: 0.7, row: 0 };
    for (let r = 0; r < rows; r++) {
      o.offset = r * v;
      o.outOffset = r * v;
      o.row = r;
      softmaxStrided(o);
    }
    expect(Array.from(reused)).toEqual(Array.from(viaBatch));
  });

  it("is the same call whether a default is omitted, undefined, or spelt out", () => {
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    const c = new Float32Array(4);
    softmaxStrided({ data, out: a });
    // A JavaScript caller may pass undefined explicitly (the types, with exactOptionalPropertyTypes, do not).
    const undefinedFields = {
      offset: undefined,
      length: undefined,
      outOffset: undefined,
      temperature: undefined,
    };
    softmaxStrided({ data, out: b, ...undefinedFields } as never);
    softmaxStrided({ data, out: c, offset: 0, length: 4, outOffset: 0, temperature: 1, row: -1 });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
  });
});
