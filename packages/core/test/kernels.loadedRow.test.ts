import { afterAll, describe, expect, it } from "vitest";
import { createNucleusEdge, loadRow, setKernelBackend } from "../src/kernels/dispatch.js";

const NEG = Number.NEGATIVE_INFINITY;

describe("kernels: the loaded row is an explicit handle", () => {
  afterAll(() => setKernelBackend("auto"));

  for (const backend of ["wasm-simd", "js"] as const) {
    it(`answers about its own row, and throws once another row is loaded (${backend})`, () => {
      setKernelBackend(backend);
      const a = loadRow(Float32Array.from([1, 5, 3, 5]), 0, 4);
      expect(a.max).toBe(5);
      expect(a.countGt(3)).toBe(2); // by hand: 5 and 5
      const ids = new Int32Array(2);
      const values = new Float32Array(2);
      expect(a.topK(2, ids, values)).toBe(2);
      expect(Array.from(ids)).toEqual([1, 3]); // ties to the lower id
      const b = loadRow(Float32Array.from([0, 1]), 0, 2);
      expect(() => a.countGt(0)).toThrow(/no longer loaded/);
      expect(() => a.topK(1, ids, null)).toThrow(/no longer loaded/);
      expect(b.countGt(0)).toBe(1);
    });
  }

  it("goes stale when the backend changes", () => {
    setKernelBackend("wasm-simd");
    const a = loadRow(Float32Array.from([1, 2]), 0, 2);
    setKernelBackend("js");
    expect(() => a.countGt(0)).toThrow(/no longer loaded/);
  });

  it("goes stale after a softmax scattered over a row with masked tokens (the row region was overwritten)", () => {
    const row = loadRow(Float32Array.from([0, NEG, 0]), 0, 3);
    const out = new Float32Array(3);
    row.softmaxInto(out, 0, 1);
    expect(Array.from(out)).toEqual([0.5, 0, 0.5]);
    expect(() => row.countGt(0)).toThrow(/no longer loaded/);
  });

  it("asks several questions of one load: normalizer, draw, nucleus, rank (by hand on a small row)", () => {
    const data = Float32Array.from([0, Math.log(3), NEG, 0]); // probabilities 1/5, 3/5, 0, 1/5
    const row = loadRow(data, 0, 4).normalize(1, false);
    expect(row.logSum).toBeCloseTo(Math.log(5) - Math.log(3), 6); // log Σ exp(u − max) = log(5/3)
    expect(row.draw(1, 0.1)).toBe(0); // running sums 1/5, 4/5, 4/5, 1 over u·S
    expect(row.draw(1, 0.5)).toBe(1);
    expect(row.draw(1, 0.9)).toBe(3);
    const ids = new Int32Array(4);
    const edge = createNucleusEdge();
    expect(row.nucleus(1, 0.7, ids, edge)).toBe(2); // 3/5 < 0.7 ≤ 4/5: tokens 1 and 0 (lower id first)
    expect(Array.from(ids.subarray(0, 2))).toEqual([0, 1]);
    expect(edge.sum).toBeCloseTo(5 / 3, 6);
    expect(row.countGt(0)).toBe(1);
  });
});
