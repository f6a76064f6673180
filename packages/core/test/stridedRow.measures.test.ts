import { describe, expect, it } from "vitest";
import {
  crossEntropyStrided,
  entropyStrided,
  InvalidLogitsError,
  InvalidParamsError,
  InvalidTargetError,
  klDivergenceStrided,
  softmaxBackwardStrided,
} from "../src/index.js";
import {
  expectParamsError,
  ROW_CASES,
  RULE_LENGTH,
  RULE_OFFSET,
  RULE_OUT_OFFSET,
  type StridedCase,
  thrown,
} from "./stridedRowCases.js";

// The options objects of entropyStrided, crossEntropyStrided, klDivergenceStrided and
// softmaxBackwardStrided: one worked value each through the new signature (offsets and defaults
// exercised), and the typed error for each field that is missing or wrong. Every expected value and
// message below is written out by hand (or computed in float64 from the definition), not taken from a run.

const NEG = Number.NEGATIVE_INFINITY;
const data = Float32Array.from([0, 1, 2, 3]);
const RULE_IN_OFFSET = "must be an integer ≥ 0 (the index of its first value)";
const RULE_VECTOR_LENGTH = "must be an integer ≥ 0 (the vector length V)";

describe("worked values through the options objects", () => {
  // Row [0, ln 3, -∞, 0] → softmax P = [1, 3, 0, 1] / 5 (ln 3 rounded to float32: the float64
  // references below start from the same float32 value).
  const ln3 = Math.fround(Math.log(3));
  const batch = Float32Array.from([9, 9, 0, ln3, NEG, 0]); // the row at offset 2
  const z = 2 + Math.exp(ln3);
  const p = [1 / z, Math.exp(ln3) / z, 0, 1 / z];

  it("entropyStrided: H(P) = 0.4 ln 5 + 0.6 ln(5/3) ≈ 0.950271 for the row at offset 2, length omitted", () => {
    const byHand = 0.4 * Math.log(5) + 0.6 * Math.log(5 / 3);
    expect(Math.abs(byHand - 0.950271)).toBeLessThan(1e-6);
    let ref = 0;
    for (const pi of p) if (pi > 0) ref -= pi * Math.log(pi);
    const h = entropyStrided({ data: batch, offset: 2, row: 1 });
    expect(Math.abs(h - ref)).toBeLessThan(1e-12);
    expect(Math.abs(h - byHand)).toBeLessThan(1e-7);
  });

  it("crossEntropyStrided: loss ln(5/3), gradient P − onehot(1) into its window of grad only", () => {
    const grad = new Float32Array(6).fill(7);
    const loss = crossEntropyStrided({
      data: batch,
      offset: 2,
      length: 4,
      target: 1,
      grad,
      gradOffset: 1,
      row: 1,
    });
    expect(Math.abs(loss + Math.log(p[1]!))).toBeLessThan(1e-12);
    expect(Math.abs(loss - Math.log(5 / 3))).toBeLessThan(1e-7);
    const expected = [7, 0.2, -0.4, 0, 0.2, 7];
    for (let i = 0; i < 6; i++) expect(Math.abs(grad[i]! - expected[i]!)).toBeLessThan(1e-7);
    expect(grad[3]).toBe(0); // banned token: exactly 0
    // Without grad (the default) the loss alone; a gradOffset without grad is not used.
    expect(crossEntropyStrided({ data: batch, offset: 2, target: 1, gradOffset: 99 })).toBe(loss);
  });

  it("klDivergenceStrided: KL(P ‖ uniform) = 0.4 ln 0.8 + 0.6 ln 2.4 ≈ 0.436023, q at its own offset", () => {
    const q = Float32Array.from([5, 0, 0, 0, 0]);
    const byHand = 0.4 * Math.log(0.8) + 0.6 * Math.log(2.4);
    expect(Math.abs(byHand - 0.436023)).toBeLessThan(1e-6);
    let ref = 0;
    for (const pi of p) if (pi > 0) ref += pi * Math.log(pi / 0.25);
    // length omitted: the rest of p from pOffset (4 values).
    const kl = klDivergenceStrided({ p: batch, pOffset: 2, q, qOffset: 1, row: 1 });
    expect(Math.abs(kl - ref)).toBeLessThan(1e-12);
    expect(Math.abs(kl - byHand)).toBeLessThan(1e-7);
    // The other way round, KL(uniform ‖ P) is +∞: token 2 is allowed in the uniform row and banned in P.
    expect(klDivergenceStrided({ p: q, pOffset: 1, q: batch, qOffset: 2 })).toBe(Number.POSITIVE_INFINITY);
  });

  it("softmaxBackwardStrided: y ⊙ (g − ⟨g, y⟩) = [-0.375, 0.0625, 0.3125] into its window of out only", () => {
    // y = [½, ¼, ¼], g = [1, 2, 3]: ⟨g, y⟩ = 1.75 → [½·(−0.75), ¼·0.25, ¼·1.25]; all exact in float32.
    const y = Float32Array.from([9, 0.5, 0.25, 0.25]);
    const g = Float32Array.from([9, 9, 1, 2, 3]);
    const out = new Float32Array(5).fill(7);
    softmaxBackwardStrided({ y, yOffset: 1, g, gOffset: 2, out, outOffset: 1 }); // length: the rest of y (3)
    expect(Array.from(out)).toEqual([7, -0.375, 0.0625, 0.3125, 7]);
    // In place: out is g at the same offset.
    softmaxBackwardStrided({ y, yOffset: 1, g, gOffset: 2, out: g, outOffset: 2 });
    expect(Array.from(g)).toEqual([9, 9, -0.375, 0.0625, 0.3125]);
    // An empty window (yOffset at the end, length omitted) writes nothing.
    softmaxBackwardStrided({ y, yOffset: 4, g, out });
    expect(Array.from(out)).toEqual([7, -0.375, 0.0625, 0.3125, 7]);
  });
});

/** The one-row functions, called with a well-formed base (row 5, whole buffer) overridden by `patch`. */
const ONE_ROW: { name: string; call: (patch: Record<string, unknown>) => unknown }[] = [
  { name: "entropyStrided", call: (patch) => entropyStrided({ data, row: 5, ...patch } as never) },
  {
    name: "crossEntropyStrided",
    call: (patch) =>
      crossEntropyStrided({ data, target: 1, grad: new Float32Array(4), row: 5, ...patch } as never),
  },
];

describe("entropyStrided and crossEntropyStrided: bad fields", () => {
  for (const f of ONE_ROW) {
    it.each(ROW_CASES)(`${f.name}: $field → InvalidParamsError on "$param" naming row 5`, (c) => {
      expectParamsError(thrown(f.call, c.patch), c.param, c.message, 5);
    });

    it(`${f.name}: an empty row is InvalidLogitsError; without a row index the message has none`, () => {
      expect(() => f.call({ length: 0 })).toThrow(InvalidLogitsError);
      expect(() => f.call({ offset: 4 })).toThrow("row 5: empty row (vocabulary size 0).");
      expectParamsError(
        thrown(f.call, { row: undefined, length: -2 }),
        "length",
        `${RULE_LENGTH}, got -2`,
        undefined,
      );
    });
  }

  const GRAD_CASES: StridedCase[] = [
    {
      field: "target missing",
      patch: { target: undefined },
      param: "target",
      message: "row 5: must be a token id, an integer in [0, 4), got undefined",
    },
    {
      field: "target a string",
      patch: { target: "1" },
      param: "target",
      message: 'row 5: must be a token id, an integer in [0, 4), got "1" (a string)',
    },
    {
      field: "grad a Float64Array",
      patch: { grad: new Float64Array(4) },
      param: "grad",
      message: "row 5: must be a Float32Array, got a Float64Array",
    },
    {
      field: "grad a plain array",
      patch: { grad: [0, 0, 0, 0] },
      param: "grad",
      message: "row 5: must be a Float32Array, got an array",
    },
    {
      field: "negative gradOffset",
      patch: { gradOffset: -1 },
      param: "gradOffset",
      message: `row 5: ${RULE_OUT_OFFSET}, got -1`,
    },
    {
      field: "gradient window past the end",
      patch: { gradOffset: 1 },
      param: "gradOffset",
      message: "row 5: output window [1, 5) is outside the buffer of 4 values (grad)",
    },
  ];
  it.each(GRAD_CASES)('crossEntropyStrided: $field → InvalidParamsError on "$param"', (c) => {
    expectParamsError(thrown(ONE_ROW[1]!.call, c.patch), c.param, c.message, 5);
  });

  it.each([
    { target: 4, text: "target 4" },
    { target: -1, text: "target -1" },
    { target: 0.5, text: "target 0.5" },
  ])(
    "crossEntropyStrided: target $target (a number, not a token id) → InvalidTargetError",
    ({ target, text }) => {
      const caught = thrown(ONE_ROW[1]!.call, { target });
      expect(caught).toBeInstanceOf(InvalidTargetError);
      expect((caught as Error).message.startsWith(`row 5: ${text} is not a token id in [0, 4).`)).toBe(true);
    },
  );

  it("crossEntropyStrided: a bad field leaves grad as it was", () => {
    const grad = new Float32Array(4).fill(7);
    expect(() => crossEntropyStrided({ data, target: 9, grad })).toThrow(InvalidTargetError);
    expect(Array.from(grad)).toEqual([7, 7, 7, 7]);
  });
});

describe("klDivergenceStrided: bad fields", () => {
  const call = (patch: Record<string, unknown>): unknown =>
    klDivergenceStrided({ p: data, q: Float32Array.from([3, 2, 1, 0]), row: 5, ...patch } as never);
  const KL_CASES: StridedCase[] = [
    {
      field: "p missing",
      patch: { p: undefined },
      param: "p",
      message: "row 5: must be a Float32Array of logits, got undefined",
    },
    {
      field: "q a Float64Array",
      patch: { q: new Float64Array(4) },
      param: "q",
      message: "row 5: must be a Float32Array of logits, got a Float64Array",
    },
    {
      field: "negative pOffset",
      patch: { pOffset: -1 },
      param: "pOffset",
      message: `row 5: ${RULE_OFFSET}, got -1`,
    },
    {
      field: "fractional qOffset",
      patch: { qOffset: 1.5 },
      param: "qOffset",
      message: `row 5: ${RULE_OFFSET}, got 1.5`,
    },
    {
      field: "pOffset past the end (length omitted)",
      patch: { pOffset: 5 },
      param: "pOffset",
      message: "row 5: pOffset 5 is past the end of the buffer of 4 values",
    },
    {
      field: "NaN length",
      patch: { length: Number.NaN },
      param: "length",
      message: `row 5: ${RULE_LENGTH}, got NaN`,
    },
    {
      field: "p window past the end",
      patch: { pOffset: 2, length: 3 },
      param: "pOffset",
      message: "row 5: p window [2, 5) is outside the buffer of 4 values",
    },
    {
      field: "q shorter than the rest of p (length omitted)",
      patch: { q: new Float32Array(3) },
      param: "qOffset",
      message: "row 5: q window [0, 4) is outside the buffer of 3 values",
    },
    {
      field: "q window past the end",
      patch: { qOffset: 2 },
      param: "qOffset",
      message: "row 5: q window [2, 6) is outside the buffer of 4 values",
    },
  ];
  it.each(KL_CASES)('$field → InvalidParamsError on "$param" naming row 5', (c) => {
    expectParamsError(thrown(call, c.patch), c.param, c.message, 5);
  });

  it("an empty row is InvalidLogitsError; without a row index the message has none", () => {
    expect(() => call({ length: 0 })).toThrow("row 5: empty row (vocabulary size 0).");
    expect(() => call({ length: 0 })).toThrow(InvalidLogitsError);
    expectParamsError(
      thrown(call, { row: undefined, qOffset: -3 }),
      "qOffset",
      `${RULE_OFFSET}, got -3`,
      undefined,
    );
  });
});

describe("softmaxBackwardStrided: bad fields", () => {
  const call = (patch: Record<string, unknown>): unknown =>
    softmaxBackwardStrided({
      y: Float32Array.from([0.25, 0.25, 0.25, 0.25]),
      g: new Float32Array(4),
      out: new Float32Array(4),
      ...patch,
    } as never);
  const BACKWARD_CASES: StridedCase[] = [
    {
      field: "y missing",
      patch: { y: undefined },
      param: "y",
      message: "must be a Float32Array, got undefined",
    },
    {
      field: "g a plain array",
      patch: { g: [0, 0, 0, 0] },
      param: "g",
      message: "must be a Float32Array, got an array",
    },
    {
      field: "out missing",
      patch: { out: undefined },
      param: "out",
      message: "must be a Float32Array, got undefined",
    },
    {
      field: "negative yOffset",
      patch: { yOffset: -1 },
      param: "yOffset",
      message: `${RULE_IN_OFFSET}, got -1`,
    },
    {
      field: "yOffset past the end (length omitted)",
      patch: { yOffset: 5 },
      param: "yOffset",
      message: "yOffset 5 is past the end of the buffer of 4 values",
    },
    {
      field: "fractional gOffset",
      patch: { gOffset: 0.5 },
      param: "gOffset",
      message: `${RULE_IN_OFFSET}, got 0.5`,
    },
    {
      field: "negative length",
      patch: { length: -1 },
      param: "length",
      message: `${RULE_VECTOR_LENGTH}, got -1`,
    },
    {
      field: "length a string",
      patch: { length: "2" },
      param: "length",
      message: `${RULE_VECTOR_LENGTH}, got "2" (a string)`,
    },
    {
      field: "y window past the end",
      patch: { yOffset: 1, length: 4 },
      param: "yOffset",
      message: "y window [1, 5) is outside the buffer of 4 values",
    },
    {
      field: "g shorter than the rest of y (length omitted)",
      patch: { g: new Float32Array(3) },
      param: "gOffset",
      message: "g window [0, 4) is outside the buffer of 3 values",
    },
    {
      field: "output window past the end",
      patch: { outOffset: 1 },
      param: "outOffset",
      message: "output window [1, 5) is outside the buffer of 4 values (out)",
    },
    {
      field: "negative outOffset",
      patch: { outOffset: -2 },
      param: "outOffset",
      message: `${RULE_OUT_OFFSET}, got -2`,
    },
  ];
  it.each(BACKWARD_CASES)('$field → InvalidParamsError on "$param"', (c) => {
    expectParamsError(thrown(call, c.patch), c.param, c.message, undefined);
  });

  it("a bad field leaves out as it was", () => {
    const out = new Float32Array(4).fill(7);
    expect(() => call({ out, g: new Float32Array(2) })).toThrow(InvalidParamsError);
    expect(Array.from(out)).toEqual([7, 7, 7, 7]);
  });
});
