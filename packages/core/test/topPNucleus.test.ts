import { afterAll, describe, expect, it } from "vitest";
import { InvalidLogitsError, InvalidParamsError, topPNucleus } from "../src/index.js";
import { setKernelBackend } from "../src/kernels/dispatch.js";

const NEG = Number.NEGATIVE_INFINITY;

function nucleus(row: number[], t: number, p: number): number[] {
  const ids = new Int32Array(row.length);
  const n = topPNucleus(Float32Array.from(row), 0, row.length, t, p, ids);
  return Array.from(ids.subarray(0, n));
}

describe("topPNucleus", () => {
  afterAll(() => setKernelBackend("auto"));

  // Kept sets by hand from softmax(row / T), shortest most-likely prefix with mass ≥ p, ids ascending.
  const table: { row: number[]; t: number; p: number; want: number[]; why: string }[] = [
    { row: [0, 2, 1, -1], t: 1, p: 0.8, want: [1, 2], why: "p = [.087, .644, .237, .032]: .644 + .237 ≥ .8" },
    { row: [0, 2, 1, -1], t: 1, p: 0.6, want: [1], why: ".644 ≥ .6" },
    { row: [0, 2, 1, -1], t: 2, p: 0.8, want: [0, 1, 2], why: "T = 2: [.167, .455, .276, .102]" },
    { row: [0, 2, 1, -1], t: 1, p: 1, want: [0, 1, 2, 3], why: "p = 1 keeps every nonzero token" },
    { row: [1, 1, 1, 1], t: 1, p: 0.5, want: [0, 1], why: "ties: lower ids first" },
    { row: [0, NEG, 0], t: 1, p: 1, want: [0, 2], why: "a masked token has probability 0" },
  ];

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`keeps the hand-derived nucleus (${backend})`, () => {
      setKernelBackend(backend);
      for (const { row, t, p, want } of table) expect(nucleus(row, t, p)).toEqual(want);
    });
  }

  it("reads a row at an offset", () => {
    const ids = new Int32Array(4);
    expect(topPNucleus(Float32Array.from([9, 9, 0, 2, 1, -1]), 2, 4, 1, 0.8, ids)).toBe(2);
    expect(Array.from(ids.subarray(0, 2))).toEqual([1, 2]);
  });

  it("rejects bad temperature, p, output room and rows with typed errors", () => {
    const ids = new Int32Array(4);
    const row = Float32Array.from([0, 1, 2, 3]);
    expect(() => topPNucleus(row, 0, 4, 0, 0.9, ids)).toThrow(InvalidParamsError);
    expect(() => topPNucleus(row, 0, 4, 1, 0, ids)).toThrow(InvalidParamsError);
    expect(() => topPNucleus(row, 0, 4, 1, 0.9, new Int32Array(2))).toThrow(InvalidParamsError);
    expect(() => topPNucleus(Float32Array.from([0, Number.NaN]), 0, 2, 1, 0.9, ids)).toThrow(
      InvalidLogitsError,
    );
    expect(() => topPNucleus(Float32Array.from([NEG, NEG]), 0, 2, 1, 0.9, ids)).toThrow(InvalidLogitsError);
  });
});
