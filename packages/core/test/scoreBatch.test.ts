import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidLogitsError,
  InvalidParamsError,
  InvalidTargetError,
  logSoftmax,
  scoreBatch,
  topLogprobs,
} from "../src/index.js";
import { entropyTol, gridLogits, logTol, refEntropy, refLogSumExp, ulpF32 } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261126;

describe("scoreBatch", () => {
  it("gives the target log-probability, rank and entropy of each row", () => {
    // row 0: p = [¼, ¾, 0, 0] → target 0: log ¼, rank 2; row 1: no target; row 2: the worked row, target 1 (its max).
    const rows = [
      [0, Math.log(3), NEG, NEG],
      [1, 1, 1, 1],
      [-1, 2, 0.5, -0.5],
    ];
    const batch = Float32Array.from(rows.flat());
    const r = scoreBatch(batch, 3, 4, Int32Array.of(0, -1, 1));
    expect(Math.abs(r.logprobs[0]! - Math.log(0.25))).toBeLessThan(1e-7);
    expect(Number.isNaN(r.logprobs[1])).toBe(true);
    expect(Math.abs(r.logprobs[2]! - Math.log(0.738006))).toBeLessThan(1e-6);
    expect(Array.from(r.ranks)).toEqual([2, 0, 1]);
    const hByHand = [-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), Math.log(4), refEntropy(rows[2]!)];
    for (let i = 0; i < 3; i++) expect(Math.abs(r.entropies[i]! - hByHand[i]!)).toBeLessThan(1e-7);
    expect(r.errors).toEqual([]);
    expect(r.topTokens).toBeUndefined();
  });

  it.each([
    { target: 1, rank: 1 },
    { target: 2, rank: 1 },
    { target: 0, rank: 3 },
    { target: 3, rank: 4 },
    { target: 4, rank: 5 },
  ])(
    "ranks target $target as 1 + the count of strictly higher logits ($rank), ties sharing a rank",
    ({ target, rank }) => {
      const r = scoreBatch(Float32Array.from([1, 3, 3, 0, NEG]), 1, 5, Int32Array.of(target));
      expect(r.ranks[0]).toBe(rank);
    },
  );

  it("gives a masked target log-probability -Infinity", () => {
    const r = scoreBatch(Float32Array.from([1, NEG]), 1, 2, Int32Array.of(1));
    expect(r.logprobs[0]).toBe(NEG);
    expect(r.ranks[0]).toBe(2);
  });

  it("scores entropy alone when targets is null", () => {
    const r = scoreBatch(Float32Array.from([0, 0, 5, 5]), 2, 2, null);
    expect(Number.isNaN(r.logprobs[0])).toBe(true);
    expect(Array.from(r.ranks)).toEqual([0, 0]);
    expect(Math.abs(r.entropies[1]! - Math.LN2)).toBeLessThan(1e-12);
  });

  it("reports the top N per row, identical to topLogprobs", () => {
    const batch = Float32Array.from([0, 2, 2, 1, 5, NEG, 4, 5]);
    const r = scoreBatch(batch, 2, 4, Int32Array.of(3, 0), { top: 3 });
    // row 0 [0, 2, 2, 1] → 1, 2 (tie, lower id first), 3; row 1 [5, -Inf, 4, 5] → 0, 3 (tie), 2
    expect(Array.from(r.topTokens!)).toEqual([1, 2, 3, 0, 3, 2]);
    const ids = new Int32Array(3);
    const lps = new Float64Array(3);
    topLogprobs({ data: batch, offset: 4, length: 4, n: 3, outIds: ids, outLogprobs: lps });
    expect(Array.from(r.topLogprobs!.subarray(3, 6))).toEqual(Array.from(lps));
  });

  it("throws the first bad row or target naming the global row", () => {
    const batch = Float32Array.from([0, 0, Number.NaN, 0, 0, 0]);
    expect(() => scoreBatch(batch, 3, 2, null, { firstRow: 50 })).toThrow(/row 51, index 0: NaN/);
    expect(() => scoreBatch(Float32Array.from([0, 0]), 1, 2, Int32Array.of(2), { firstRow: 7 })).toThrow(
      InvalidTargetError,
    );
    expect(() => scoreBatch(Float32Array.from([0, 0]), 1, 2, Int32Array.of(-2), { firstRow: 7 })).toThrow(
      /row 7: target -2/,
    );
  });

  it("skips bad rows with onError 'skip', collecting typed errors that name global rows", () => {
    const batch = Float32Array.from([0, 0, Number.NaN, 0, 0, 0, NEG, NEG, 1, 2]);
    const r = scoreBatch(batch, 5, 2, Int32Array.of(0, 0, 2, 1, 1), {
      firstRow: 10,
      onError: "skip",
      top: 1,
    });
    expect(r.errors.length).toBe(3);
    expect(r.errors[0]).toBeInstanceOf(InvalidLogitsError);
    expect((r.errors[0] as InvalidLogitsError).row).toBe(11);
    expect(r.errors[1]).toBeInstanceOf(InvalidTargetError);
    expect((r.errors[1] as InvalidTargetError).row).toBe(12);
    expect((r.errors[1] as InvalidTargetError).target).toBe(2);
    expect((r.errors[2] as InvalidLogitsError).row).toBe(13);
    expect(Array.from(r.ranks)).toEqual([1, 0, 0, 0, 1]);
    expect(Array.from(r.topTokens!)).toEqual([0, -1, -1, -1, 1]);
    expect(
      Number.isNaN(r.logprobs[1]) && Number.isNaN(r.entropies[2]) && Number.isNaN(r.topLogprobs![3]),
    ).toBe(true);
    // logTol: the float32 exp-and-sum normalizer (derivation in softmaxReference.ts)
    expect(Math.abs(r.logprobs[4]! - (2 - refLogSumExp([1, 2])))).toBeLessThanOrEqual(logTol(2));
  });

  it("rejects a short targets array, a bad top and a bad shape", () => {
    expect(() => scoreBatch(new Float32Array(4), 2, 2, Int32Array.of(0))).toThrow(InvalidParamsError);
    expect(() => scoreBatch(new Float32Array(4), 2, 2, null, { top: -1 })).toThrow(InvalidParamsError);
    expect(() => scoreBatch(new Float32Array(3), 2, 2, null)).toThrow(InvalidParamsError);
  });

  it("agrees with logSoftmax and the float64 reference, whatever the split of the batch (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1500 }).chain((v) =>
          fc.tuple(
            fc.constant(v),
            fc.array(
              fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: v, maxLength: v }),
              {
                minLength: 1,
                maxLength: 5,
              },
            ),
            fc.nat(),
          ),
        ),
        ([v, rowValues, splitSeed]) => {
          const rows = rowValues.length;
          const batch = gridLogits(rowValues.flat());
          const targets = Int32Array.from(rowValues, (_, r) => (r * 7919 + splitSeed) % v);
          const whole = scoreBatch(batch, rows, v, targets, { top: 2 });
          const split = 1 + (splitSeed % rows);
          const a = scoreBatch(batch.subarray(0, split * v), split, v, targets.subarray(0, split), {
            top: 2,
          });
          const b = scoreBatch(batch.subarray(split * v), rows - split, v, targets.subarray(split), {
            top: 2,
            firstRow: split,
          });
          const joined = [...a.logprobs, ...b.logprobs].join();
          if (joined !== Array.from(whole.logprobs).join()) return false;
          if ([...a.entropies, ...b.entropies].join() !== Array.from(whole.entropies).join()) return false;
          if ([...a.topTokens!, ...b.topTokens!].join() !== Array.from(whole.topTokens!).join()) return false;
          for (let r = 0; r < rows; r++) {
            const row = batch.subarray(r * v, (r + 1) * v);
            const t = targets[r]!;
            // logSoftmax's T = 1 write pass is float32: within 2 ulp of the float64 logprob (same S)
            const lp = whole.logprobs[r]!;
            if (Math.abs(logSoftmax(row)[t]! - lp) > 2 * ulpF32(lp)) return false;
            // float32 exp-and-sum normalizer and moment: tolerances derived in softmaxReference.ts
            if (Math.abs(whole.logprobs[r]! - (row[t]! - refLogSumExp(row))) > logTol(v)) return false;
            const h = refEntropy(row);
            if (Math.abs(whole.entropies[r]! - h) > entropyTol(h)) return false;
            let higher = 0;
            for (const x of row) if (x > row[t]!) higher++;
            if (whole.ranks[r] !== higher + 1) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });
});
