import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidLogitsError, InvalidParamsError, topLogprobs } from "../src/index.js";
import { logTol, refLogSumExp } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261126;

/** Reference: full sort of ids by (logit descending, id ascending). */
function refTop(u: ArrayLike<number>, n: number): number[] {
  const ids = Array.from({ length: u.length }, (_, i) => i);
  ids.sort((a, b) => (u[a] === u[b] ? a - b : u[a]! > u[b]! ? -1 : 1));
  return ids.slice(0, Math.max(0, n));
}

function run(u: number[], n: number) {
  // Sentinels (7, 0.5) show which slots were written.
  const ids = new Int32Array(n).fill(7);
  const lps = new Float64Array(n).fill(0.5);
  const written = topLogprobs({ data: Float32Array.from(u), n, outIds: ids, outLogprobs: lps });
  return { ids: Array.from(ids), lps: Array.from(lps), written };
}

describe("topLogprobs", () => {
  it("lists the most likely tokens first with their log-probabilities", () => {
    const { ids, lps } = run([0, Math.log(3), NEG, 0], 2);
    expect(ids).toEqual([1, 0]);
    expect(Math.abs(lps[0]! - Math.log(3 / 5))).toBeLessThan(1e-7);
    expect(Math.abs(lps[1]! - Math.log(1 / 5))).toBeLessThan(1e-7);
  });

  it("breaks ties by the lower token id", () => {
    expect(run([2, 5, 5, 2, 5], 4).ids).toEqual([1, 2, 4, 0]);
    expect(run([1, 1, 1, 1], 2).ids).toEqual([0, 1]);
  });

  it("puts masked tokens after every allowed one, with -Infinity", () => {
    const { ids, lps } = run([NEG, 1, NEG, 0], 4);
    expect(ids).toEqual([1, 3, 0, 2]);
    expect(lps[2]).toBe(NEG);
    expect(lps[3]).toBe(NEG);
  });

  it("writes the whole row (V entries, no padding) when n > V, and nothing for n = 0", () => {
    const { ids, lps, written } = run([0, 0], 3);
    expect(written).toBe(2);
    expect(ids).toEqual([0, 1, 7]);
    expect(lps[2]).toBe(0.5);
    expect(Math.abs(lps[0]! + Math.LN2)).toBeLessThan(1e-7);
    // Output arrays only need room for the V entries written.
    expect(
      topLogprobs({
        data: Float32Array.from([0, 1]),
        n: 4096,
        outIds: new Int32Array(2),
        outLogprobs: new Float64Array(2),
      }),
    ).toBe(2);
    const outIds = Int32Array.of(7);
    expect(
      topLogprobs({ data: Float32Array.from([0, 1]), n: 0, outIds, outLogprobs: new Float64Array(1) }),
    ).toBe(0);
    expect(outIds[0]).toBe(7);
  });

  it("refuses n above MAX_TOP_N before allocating anything, showing the value as given", () => {
    const data = Float32Array.from([0, 1, 2]);
    const outs = { outIds: new Int32Array(3), outLogprobs: new Float64Array(3) };
    expect(() => topLogprobs({ data, n: 4097, ...outs })).toThrow(
      /"n": must be an integer in \[0, 4096\], got 4097/,
    );
    expect(() => topLogprobs({ data, n: "2" as never, ...outs })).toThrow(/got "2" \(a string\)/);
  });

  it("rejects a non-integer or negative n and output arrays too short for n entries", () => {
    const data = Float32Array.from([0, 1, 2]);
    const outs = { outIds: new Int32Array(2), outLogprobs: new Float64Array(2) };
    expect(() => topLogprobs({ data, n: 1.5, ...outs })).toThrow(InvalidParamsError);
    expect(() => topLogprobs({ data, n: -1, ...outs })).toThrow(InvalidParamsError);
    expect(() =>
      topLogprobs({ data, n: 2, outIds: new Int32Array(2), outLogprobs: new Float64Array(1) }),
    ).toThrow(InvalidParamsError);
  });

  it("reads a strided row, writes at outOffset and names the row in errors", () => {
    const data = Float32Array.from([9, 9, 0, 3, 1]);
    const ids = Int32Array.of(-5, -5, -5);
    const lps = new Float64Array(3);
    topLogprobs({ data, offset: 2, length: 3, n: 2, outIds: ids, outLogprobs: lps, outOffset: 1 });
    expect(Array.from(ids)).toEqual([-5, 1, 2]);
    const banned = { data: Float32Array.from([NEG, NEG]), n: 1, outIds: ids, outLogprobs: lps, row: 8 };
    expect(() => topLogprobs(banned)).toThrow(InvalidLogitsError);
    expect(() => topLogprobs(banned)).toThrow(/row 8/);
  });

  it("agrees with a full sort and the float64 log-softmax on rows with many ties (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constant(NEG)), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 0, max: 60 }),
        (values, n) => {
          if (!values.some((v) => v !== NEG)) values.push(0);
          const { ids, lps } = run(values, n);
          const expected = refTop(values, n);
          const lse = refLogSumExp(values);
          for (let k = 0; k < n; k++) {
            if (k >= values.length) {
              // Past V: left untouched (the sentinels).
              if (ids[k] !== 7 || lps[k] !== 0.5) return false;
              continue;
            }
            if (ids[k] !== expected[k]) return false;
            const want = values[ids[k]!]! - lse;
            // logTol: the float32 exp-and-sum normalizer (derivation in softmaxReference.ts)
            if (!(lps[k] === want || Math.abs(lps[k]! - want) <= logTol(values.length))) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });
});
