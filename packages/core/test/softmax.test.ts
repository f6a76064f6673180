import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidLogitsError,
  InvalidParamsError,
  softmax,
  softmaxBatch,
  softmaxStrided,
} from "../src/index.js";
import { closeTo, gridLogits, refSoftmax } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261126;

describe("softmax", () => {
  it.each([
    { u: [-1, 2, 0.5, -0.5], p: [0.036743, 0.738006, 0.164671, 0.060579] },
    { u: [-2, -1, 0, 1, 1.5], p: [0.01555, 0.04227, 0.1149, 0.312332, 0.514948] },
    { u: [0, 0, 0, 0], p: [0.25, 0.25, 0.25, 0.25] },
    { u: [0, Math.log(3)], p: [0.25, 0.75] },
    { u: [7], p: [1] },
  ])("gives the worked probabilities of $u to 1e-6", ({ u, p }) => {
    const out = softmax(Float32Array.from(u));
    expect(closeTo(out, p, 1e-6)).toBe(true);
  });

  it("leaves every probability unchanged when 10 is added to every logit", () => {
    const u = Float32Array.from([-1, 2, 0.5, -0.5]);
    const shifted = Float32Array.from([9, 12, 10.5, 9.5]);
    expect(Array.from(softmax(shifted))).toEqual(Array.from(softmax(u)));
  });

  it("does not overflow on huge logits", () => {
    const out = softmax(Float32Array.from([1e30, 1e30, -1e30]));
    expect(Array.from(out)).toEqual([0.5, 0.5, 0]);
  });

  it("gives exactly 0 to -Infinity (masked) tokens and renormalizes the rest", () => {
    const out = softmax(Float32Array.from([NEG, 0, NEG, Math.log(3)]));
    expect(out[0]).toBe(0);
    expect(out[2]).toBe(0);
    expect(closeTo([out[1]!, out[3]!], [0.25, 0.75], 1e-7)).toBe(true);
  });

  it("divides the logits by the temperature", () => {
    const u = [-1, 2, 0.5, -0.5];
    for (const t of [0.25, 0.7, 2, 10]) {
      const out = softmax(Float32Array.from(u), { temperature: t });
      expect(closeTo(out, refSoftmax(u, t), 1e-7, 1e-6)).toBe(true);
    }
  });

  it("is a one-hot on the largest logit at temperature 0, ties going to the lower id", () => {
    expect(Array.from(softmax(Float32Array.from([1, 3, 2]), { temperature: 0 }))).toEqual([0, 1, 0]);
    expect(Array.from(softmax(Float32Array.from([3, 1, 5, 5, NEG]), { temperature: 0 }))).toEqual([
      0, 0, 1, 0, 0,
    ]);
  });

  it("splits the mass evenly between tied maxima at a tiny positive temperature", () => {
    expect(Array.from(softmax(Float32Array.from([1, 3, 3]), { temperature: 1e-30 }))).toEqual([0, 0.5, 0.5]);
  });

  it("rejects an empty row, NaN, +Infinity and an all -Infinity row with InvalidLogitsError", () => {
    expect(() => softmax(new Float32Array(0))).toThrow(InvalidLogitsError);
    expect(() => softmax(Float32Array.from([0, Number.NaN]))).toThrow(/index 1: NaN/);
    expect(() => softmax(Float32Array.from([Number.POSITIVE_INFINITY, 0]))).toThrow(/index 0: \+Infinity/);
    expect(() => softmax(Float32Array.from([NEG, NEG]))).toThrow(InvalidLogitsError);
  });

  it("rejects a negative, NaN or infinite temperature with InvalidParamsError", () => {
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => softmax(Float32Array.from([0, 1]), { temperature: t })).toThrow(InvalidParamsError);
    }
  });

  it("names the given row in the strided form's errors", () => {
    const data = Float32Array.from([0, 1, Number.NaN, 2]);
    expect(() => softmaxStrided({ data, offset: 2, length: 2, out: new Float32Array(2), row: 42 })).toThrow(
      /row 42, index 0/,
    );
  });

  it("rejects an output window that does not fit", () => {
    expect(() =>
      softmaxStrided({ data: Float32Array.from([0, 1]), out: new Float32Array(3), outOffset: 2 }),
    ).toThrow(InvalidParamsError);
  });

  it("writes only its output window in the strided form and works in place", () => {
    const data = Float32Array.from([5, 0, Math.log(3), 5]);
    const out = Float32Array.from([9, 9, 9, 9]);
    softmaxStrided({ data, offset: 1, length: 2, out, outOffset: 2 });
    expect(out[0]).toBe(9);
    expect(out[1]).toBe(9);
    expect(closeTo([out[2]!, out[3]!], [0.25, 0.75], 1e-7)).toBe(true);
    softmaxStrided({ data, offset: 1, length: 2, out: data, outOffset: 1 });
    expect(Array.from(data.subarray(1, 3))).toEqual(Array.from(out.subarray(2, 4)));
  });

  it("matches the float64 reference to 1e-6 relative on rows longer than one summation block", () => {
    const v = 5000;
    const u = new Float32Array(v);
    for (let i = 0; i < v; i++) u[i] = Math.fround(Math.sin(i * 12.9898) * 8);
    expect(closeTo(softmax(u), refSoftmax(u), 1e-12, 1e-6)).toBe(true);
  });

  const rowArb = fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 300 });

  it("sums to 1 within float32 rounding for any row (property)", () => {
    fc.assert(
      fc.property(rowArb, (values) => {
        const out = softmax(gridLogits(values));
        let s = 0;
        for (const p of out) s += p;
        return Math.abs(s - 1) < 1e-6;
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("is bit-identical after adding an integer constant to every logit (property)", () => {
    fc.assert(
      fc.property(rowArb, fc.integer({ min: -50, max: 50 }), (values, c) => {
        const u = gridLogits(values);
        const shifted = Float32Array.from(u, (v) => v + c);
        return Array.from(softmax(shifted)).join() === Array.from(softmax(u)).join();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("permutes its output when its input is permuted (property)", () => {
    fc.assert(
      fc.property(
        rowArb.chain((values) =>
          fc.tuple(
            fc.constant(values),
            fc.shuffledSubarray(
              values.map((_, i) => i),
              { minLength: values.length },
            ),
          ),
        ),
        ([values, perm]) => {
          const u = gridLogits(values);
          const permuted = Float32Array.from(perm, (j) => u[j]!);
          const p = softmax(u);
          const q = softmax(permuted);
          return closeTo(
            q,
            Array.from(perm, (j) => p[j]!),
            1e-12,
            1e-6,
          );
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("matches the float64 reference within 1e-6 relative at any temperature (property)", () => {
    fc.assert(
      fc.property(rowArb, fc.double({ min: 0.05, max: 20, noNaN: true }), (values, t) => {
        const u = gridLogits(values);
        return closeTo(softmax(u, { temperature: t }), refSoftmax(u, t), 1e-12, 1e-6);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("gives masked tokens exactly 0 and the others exactly the softmax of the unmasked logits (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -20, max: 20, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 300,
        }),
        (entries) => {
          if (entries.every(([, masked]) => masked)) entries[0]![1] = false;
          const u = Float32Array.from(entries, ([v, masked]) => (masked ? NEG : Math.round(v * 256) / 256));
          const kept = u.filter((v) => v !== NEG);
          const p = softmax(u);
          const q = softmax(kept);
          // the kernels sum the compacted unmasked values: the sums are identical
          let k = 0;
          for (let i = 0; i < u.length; i++) {
            if (u[i] === NEG) {
              if (p[i] !== 0) return false;
            } else if (p[i] !== q[k++]) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("gives a row bit-identical output at any position in batches of any size (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 2100 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (values, rowsA, posA, extra) => {
          const u = gridLogits(values);
          const v = u.length;
          const alone = softmax(u);
          const rows = rowsA + extra;
          const pos = posA % rows;
          const batch = new Float32Array(rows * v);
          for (let r = 0; r < rows; r++)
            for (let i = 0; i < v; i++) batch[r * v + i] = Math.fround(Math.cos(r * 7 + i));
          batch.set(u, pos * v);
          const out = new Float32Array(rows * v);
          softmaxBatch(batch, rows, v, out);
          const strided = new Float32Array(v);
          softmaxStrided({ data: batch, offset: pos * v, length: v, out: strided });
          const a = Array.from(alone).join();
          return (
            Array.from(out.subarray(pos * v, (pos + 1) * v)).join() === a && Array.from(strided).join() === a
          );
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});
