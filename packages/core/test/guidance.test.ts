import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guidance } from "../src/guidance.js";
import { InvalidLogitsError, LogitOverflowError } from "../src/index.js";
import { softmaxRef } from "./samplers/stageHelpers.js";

const NEG = Number.NEGATIVE_INFINITY;
const logSoftmaxRef = (row: number[]) => softmaxRef(row).map(Math.log);

describe("guidance", () => {
  it("computes u + γ(c − u) on the log-softmaxes (worked value)", () => {
    // c = [ln .5, ln .5], u = [ln .25, ln .75], γ = 2 → [ln .25 + 2 ln 2, ln .75 + 2 ln(2/3)] = [ln 1, ln(1/3)]
    const out = guidance(new Float32Array([0, 0]), new Float32Array([0, Math.log(3)]), 2);
    expect(out[0]).toBeCloseTo(0, 6);
    expect(out[1]).toBeCloseTo(Math.log(1 / 3), 6);
  });

  it("scale 1 returns log_softmax(cond), scale 0 log_softmax(uncond), masks in either row stay masked", () => {
    const c = new Float32Array([1, NEG, 0, 2]);
    const u = new Float32Array([0, 3, NEG, 1]);
    const lc = logSoftmaxRef(Array.from(c));
    const lu = logSoftmaxRef(Array.from(u));
    for (const [i, v] of guidance(c, u, 1).entries()) expect(v).toBeCloseTo(lc[i]!, 6);
    for (const [i, v] of guidance(c, u, 0).entries()) expect(v).toBeCloseTo(lu[i]!, 6);
    const g = guidance(c, u, 1.5);
    expect(g[1]).toBe(NEG);
    expect(g[2]).toBe(NEG);
  });

  it("softmax(out) ∝ p_c^γ · p_u^(1−γ) on random rows (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -40, max: 40 })), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.constantFrom(0.5, 1.5, 3, -1),
        (pairs, g) => {
          const c = pairs.map(([a]) => a / 8);
          const u = pairs.map(([, b]) => b / 8);
          const pc = softmaxRef(c);
          const pu = softmaxRef(u);
          const w = pc.map((p, i) => p ** g * pu[i]! ** (1 - g));
          const z = w.reduce((a, b) => a + b, 0);
          const got = softmaxRef(Array.from(guidance(Float32Array.from(c), Float32Array.from(u), g)));
          for (const [i, p] of got.entries()) expect(Math.abs(p - w[i]! / z)).toBeLessThan(1e-5);
        },
      ),
      { seed: 4, numRuns: 200 },
    );
  });

  it("writes in place and rejects bad rows, mismatched lengths and overflow with typed errors", () => {
    const c = new Float32Array([0, 1]);
    expect(guidance(c, new Float32Array([1, 0]), 2, c)).toBe(c);
    expect(() => guidance(new Float32Array([0, Number.NaN]), new Float32Array(2), 2)).toThrow(
      InvalidLogitsError,
    );
    expect(() => guidance(new Float32Array(2), new Float32Array(3), 2)).toThrow(RangeError);
    // c − u = 3e38 for token 0: γ = 10 leaves float32
    expect(() => guidance(new Float32Array([0, -3e38]), new Float32Array([-3e38, 0]), 10)).toThrow(
      LogitOverflowError,
    );
  });
});
