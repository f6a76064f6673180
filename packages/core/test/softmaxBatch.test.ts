import { describe, expect, it } from "vitest";
import { InvalidLogitsError, InvalidParamsError, logSoftmax, softmax, softmaxBatch } from "../src/index.js";
import { closeTo } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;

describe("softmaxBatch", () => {
  const data = Float32Array.from([0, 0, 0, Math.log(3), -1, 2]);

  it("applies softmax to each row of a rows × vocab batch", () => {
    const out = new Float32Array(6);
    softmaxBatch(data, 3, 2, out);
    expect(closeTo(out, [0.5, 0.5, 0.25, 0.75, 1 / (1 + Math.exp(3)), 1 / (1 + Math.exp(-3))], 1e-7)).toBe(
      true,
    );
  });

  it("writes each row bit-identically to the single-row functions, with log and temperature", () => {
    for (const [log, temperature] of [
      [false, 1],
      [true, 1],
      [false, 0.7],
      [true, 0],
    ] as const) {
      const out = new Float32Array(6);
      softmaxBatch(data, 3, 2, out, { log, temperature });
      for (let r = 0; r < 3; r++) {
        const row = data.subarray(r * 2, r * 2 + 2);
        const alone = log ? logSoftmax(row, { temperature }) : softmax(row, { temperature });
        expect(Array.from(out.subarray(r * 2, r * 2 + 2))).toEqual(Array.from(alone));
      }
    }
  });

  it("works in place", () => {
    const copy = data.slice();
    const out = new Float32Array(6);
    softmaxBatch(data, 3, 2, out);
    softmaxBatch(copy, 3, 2, copy);
    expect(Array.from(copy)).toEqual(Array.from(out));
  });

  it("names the global row firstRow + r of a bad row, after writing the rows before it", () => {
    const bad = Float32Array.from([0, 0, NEG, NEG, 1, 1]);
    const out = new Float32Array(6);
    let error: unknown;
    try {
      softmaxBatch(bad, 3, 2, out, { firstRow: 100 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidLogitsError);
    expect((error as InvalidLogitsError).row).toBe(101);
    expect(Array.from(out.subarray(0, 2))).toEqual([0.5, 0.5]);
  });

  it("rejects a buffer or output shorter than rows × vocab and non-integer shapes", () => {
    expect(() => softmaxBatch(new Float32Array(5), 3, 2, new Float32Array(6))).toThrow(InvalidParamsError);
    expect(() => softmaxBatch(new Float32Array(6), 3, 2, new Float32Array(5))).toThrow(/out holds 5/);
    expect(() => softmaxBatch(new Float32Array(6), 1.5, 2, new Float32Array(6))).toThrow(InvalidParamsError);
    expect(() => softmaxBatch(new Float32Array(6), 3, 0, new Float32Array(6))).toThrow(InvalidParamsError);
    expect(() => softmaxBatch(new Float32Array(6), 3, 2, new Float32Array(6), { temperature: -1 })).toThrow(
      InvalidParamsError,
    );
  });

  it("does nothing for zero rows", () => {
    const out = Float32Array.of(4);
    softmaxBatch(new Float32Array(0), 0, 3, out);
    expect(out[0]).toBe(4);
  });
});
