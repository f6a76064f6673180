import { describe, expect, it } from "vitest";
import { softmax } from "../src/index.js";

/** ulp of a float32 normal number p > 0. */
const ulp = (p: number) => 2 ** (Math.floor(Math.log2(p)) - 23);

/** Deterministic N(0, 9) row (a small LCG and Box–Muller; the values only need to be fixed). */
function gaussRow(v: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s + 0.5) / 2 ** 31;
  };
  const out = new Float32Array(v);
  for (let i = 0; i < v; i++) out[i] = 3 * Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  return out;
}

describe("softmax accuracy (the documented bound)", () => {
  it.each([
    { t: 1, c: 1 },
    { t: 0.5, c: 1 },
    { t: 2, c: 1 },
    { t: 0.7, c: 2 },
    { t: 1.3, c: 2 },
  ])(
    "at T = $t every y_i ≥ 2^-126 is within 3 ulp + $c · |u − max|/T · 2^-24 · y_i of the float64 value",
    ({ t, c }) => {
      for (const seed of [1, 2]) {
        const u = gaussRow(20_000, seed);
        const y = softmax(u, { temperature: t });
        let m = Number.NEGATIVE_INFINITY;
        for (const v of u) if (v > m) m = v;
        const e = Array.from(u, (v) => Math.exp((v - m) / t));
        const z = e.reduce((a, b) => a + b, 0);
        let worst = 0;
        for (let i = 0; i < u.length; i++) {
          const p = e[i]! / z;
          if (p < 2 ** -126) continue;
          const bound = 3 * ulp(p) + ((c * Math.abs(u[i]! - m)) / t) * 2 ** -24 * p;
          worst = Math.max(worst, Math.abs(y[i]! - p) / bound);
        }
        expect(worst).toBeLessThanOrEqual(1);
      }
    },
  );

  it("at T = 0.7 the c = 1 bound is exceeded (so the documented c = 2 is needed, not slack)", () => {
    const u = gaussRow(20_000, 1);
    const y = softmax(u, { temperature: 0.7 });
    let m = Number.NEGATIVE_INFINITY;
    for (const v of u) if (v > m) m = v;
    const e = Array.from(u, (v) => Math.exp((v - m) / 0.7));
    const z = e.reduce((a, b) => a + b, 0);
    let worst = 0;
    for (let i = 0; i < u.length; i++) {
      const p = e[i]! / z;
      if (p < 2 ** -126) continue;
      worst = Math.max(
        worst,
        Math.abs(y[i]! - p) / (3 * ulp(p) + (Math.abs(u[i]! - m) / 0.7) * 2 ** -24 * p),
      );
    }
    expect(worst).toBeGreaterThan(1);
  });

  it.each([
    { d: 87, exact: Math.exp(-87) / (1 + Math.exp(-87)), zero: false },
    { d: 87.6, exact: Math.exp(-87.6) / (1 + Math.exp(-87.6)), zero: false },
    { d: 87.7, exact: Math.exp(-87.7) / (1 + Math.exp(-87.7)), zero: true },
    { d: 88, exact: Math.exp(-88) / (1 + Math.exp(-88)), zero: true },
  ])("softmax([0, −$d])[1]: flushed to 0 below a shifted logit of −87.683 ($zero)", ({ d, exact, zero }) => {
    const y = softmax(new Float32Array([0, -d]))[1]!;
    if (zero) expect(y).toBe(0);
    else
      expect(Math.abs(y - exact)).toBeLessThanOrEqual(
        Math.max(3 * 2 ** -149, 3 * ulp(exact) + d * 2 ** -24 * exact),
      );
  });
});
