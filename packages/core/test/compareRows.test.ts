import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compareRows,
  compareRowsStrided,
  createComparisonStats,
  InvalidLogitsError,
  InvalidParamsError,
  InvalidTargetError,
} from "../src/index.js";
import { setCompareRowsBackend } from "../src/kernels/compareRowsBackend.js";
import { gridLogits, refSoftmax } from "./softmaxReference.js";

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261204;

/** KL(P ‖ Q) from the definition, float64: Σ p_i ln(p_i / q_i) over p_i > 0. */
function refKl(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const p = refSoftmax(a);
  const q = refSoftmax(b);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) kl += p[i]! * Math.log(p[i]! / q[i]!);
  return kl;
}

/** First index of the largest value. */
function refArgmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

// Every reference test runs through the WebAssembly SIMD pass ("auto" here) and its JavaScript twin.
describe.each(["auto", "js"] as const)("compareRows (%s backend)", (backend) => {
  beforeAll(() => setCompareRowsBackend(backend));
  afterAll(() => setCompareRowsBackend("auto"));

  // Worked by hand: P = [½, ½], Q = [¾, ¼] (logits 0, 0 and ln 3, 0).
  it("gives KL ½ ln(½/¾) + ½ ln(½/¼), both top-1 and the target's Δp for P = [½, ½], Q = [¾, ¼]", () => {
    const c = compareRows(Float32Array.from([0, 0]), Float32Array.from([Math.log(3), 0]), { target: 1 });
    expect(Math.abs(c.kl - (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25)))).toBeLessThan(1e-7);
    expect(c.top1Base).toBe(0); // tie → the lower id
    expect(c.top1New).toBe(0);
    expect(c.pBase).toBeCloseTo(0.5, 12);
    expect(Math.abs(c.pNew - 0.25)).toBeLessThan(1e-7);
    expect(Math.abs(c.dp + 0.25)).toBeLessThan(1e-7);
  });

  it.each([
    // base, new, KL worked by hand, top-1 of each
    { base: [1, 2, 3], next: [11, 12, 13], kl: 0, top1: [2, 2] }, // a constant shift changes nothing
    { base: [0, NEG], next: [0, 0], kl: Math.LN2, top1: [0, 0] }, // P = [1, 0], Q = [½, ½]
    { base: [0, 0], next: [0, NEG], kl: Number.POSITIVE_INFINITY, top1: [0, 0] }, // P allows, Q bans
    // P = [½, 0, ½], Q = [q, ·, q] with q = e⁵ / (2e⁵ + e⁷) = 1 / (2 + e²): KL = ln(½ (2 + e²))
    { base: [0, NEG, 0], next: [5, 7, 5], kl: Math.log(0.5 * (2 + Math.exp(2))), top1: [0, 1] },
  ])("compares $base with $next: KL $kl", ({ base, next, kl, top1 }) => {
    const c = compareRows(Float32Array.from(base), Float32Array.from(next));
    if (kl === Number.POSITIVE_INFINITY) expect(c.kl).toBe(kl);
    else expect(Math.abs(c.kl - kl)).toBeLessThan(1e-12);
    expect([c.top1Base, c.top1New]).toEqual(top1);
    expect([c.pBase, c.pNew, c.dp].every(Number.isNaN)).toBe(true); // no target
  });

  it("reads rows at offsets inside larger buffers", () => {
    const data = Float32Array.from([9, 9, 0, 0, 9, Math.log(3), 0, 9]);
    const c = compareRowsStrided(
      { data, offset: 2, length: 2 },
      { data, offset: 5, length: 2 },
      { target: 0 },
    );
    expect(Math.abs(c.kl - refKl([0, 0], [Math.fround(Math.log(3)), 0]))).toBeLessThan(1e-12);
    expect(Math.abs(c.dp - (0.75 - 0.5))).toBeLessThan(1e-7);
  });

  it("names the row in errors: different lengths, a bad row, a bad target", () => {
    expect(() => compareRows(new Float32Array(2), new Float32Array(3), { row: 4 })).toThrow(
      /row 4: the two rows must have the same length, got 2 and 3/,
    );
    expect(() => compareRows(new Float32Array(2), new Float32Array(3))).toThrow(InvalidParamsError);
    expect(() => compareRows(Float32Array.from([0, Number.NaN]), new Float32Array(2), { row: 7 })).toThrow(
      /row 7, index 1/,
    );
    expect(() => compareRows(new Float32Array(2), Float32Array.from([NEG, NEG]))).toThrow(InvalidLogitsError);
    expect(() => compareRows(new Float32Array(2), new Float32Array(2), { target: 2, row: 3 })).toThrow(
      InvalidTargetError,
    );
  });

  it("matches the float64 definition on random rows (property)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((v) =>
            fc.tuple(
              fc.array(fc.double({ min: -12, max: 12, noNaN: true }), { minLength: v, maxLength: v }),
              fc.array(fc.double({ min: -12, max: 12, noNaN: true }), { minLength: v, maxLength: v }),
              fc.nat(v - 1),
            ),
          ),
        ([av, bv, t]) => {
          const a = gridLogits(av);
          const b = gridLogits(bv);
          const c = compareRows(a, b, { target: t });
          const p = refSoftmax(a)[t]!;
          const q = refSoftmax(b)[t]!;
          return (
            c.kl >= 0 &&
            Math.abs(c.kl - refKl(a, b)) < 1e-10 * Math.max(1, c.kl) &&
            c.top1Base === refArgmax(a) &&
            c.top1New === refArgmax(b) &&
            Math.abs(c.pBase - p) < 1e-12 &&
            Math.abs(c.pNew - q) < 1e-12
          );
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("is invariant to adding a constant to either row (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 2, maxLength: 64 }),
        fc.integer({ min: -100, max: 100 }),
        (ints, shift) => {
          const a = Float32Array.from(ints, (v) => v / 4);
          const b = Float32Array.from(ints, (v, i) => v / 4 + ((i * 7) % 5) / 8 + shift);
          const c1 = compareRows(a, b);
          const bShifted = Float32Array.from(b, (v) => v - shift);
          const c2 = compareRows(a, bShifted);
          return Math.abs(c1.kl - c2.kl) < 1e-12;
        },
      ),
      { seed: SEED },
    );
  });
});

/** Straightforward percentile over all values: sort, then linear interpolation between closest ranks. */
function refPercentile(values: number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

function refMeanSe(values: number[]): [number, number] {
  const n = values.length;
  const mean = values.reduce((x, y) => x + y, 0) / n;
  const v = values.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1);
  return [mean, Math.sqrt(v / n)];
}

describe("createComparisonStats", () => {
  it("summarizes five hand-made rows", () => {
    const stats = createComparisonStats();
    const rows = [
      { kl: 0.1, top1Base: 1, top1New: 1, pBase: 0.5, pNew: 0.25, dp: -0.25 },
      { kl: 0.3, top1Base: 2, top1New: 1, pBase: 0.25, pNew: 0.5, dp: 0.25 },
      { kl: 0.2, top1Base: 0, top1New: 0, pBase: 0.5, pNew: 0.5, dp: 0 },
      { kl: 0.0, top1Base: 3, top1New: 3, pBase: Number.NaN, pNew: Number.NaN, dp: Number.NaN },
      { kl: 0.4, top1Base: 4, top1New: 3, pBase: 1, pNew: 0.5, dp: -0.5 },
    ];
    for (const r of rows) stats.add(r);
    const s = stats.summary();
    expect(s.rows).toBe(5);
    expect(s.kl.mean).toBeCloseTo(0.2, 15);
    expect(s.kl.median).toBeCloseTo(0.2, 15);
    expect(s.kl.max).toBe(0.4);
    expect(s.kl.min).toBe(0);
    // sorted [0, .1, .2, .3, .4]: p90 at h = 3.6 → .3 + .6 · .1
    expect(s.kl.p90).toBeCloseTo(0.36, 15);
    // sample sd of [0, .1, .2, .3, .4] = √(0.1/4) = 0.158113…; se = sd / √5
    expect(s.kl.se).toBeCloseTo(Math.sqrt(0.025 / 5), 15);
    expect(s.top1Same.ratio).toBe(0.6);
    expect(s.top1Same.se).toBeCloseTo(Math.sqrt((0.6 * 0.4) / 5), 15);
    const t = s.targets!;
    expect(t.scored).toBe(4);
    // PPL(base) = exp(−mean ln pBase) = exp(−(ln ½ + ln ¼ + ln ½ + ln 1)/4) = 2^(4/4) = 2
    expect(t.pplBase).toBeCloseTo(2, 12);
    // PPL(new) = exp(−(ln ¼ + ln ½ + ln ½ + ln ½)/4) = 2^(5/4)
    expect(t.pplNew).toBeCloseTo(2 ** 1.25, 12);
    expect(t.pplRatio).toBeCloseTo(2 ** 0.25, 12);
    expect(t.dp.mean).toBeCloseTo(-0.125, 15);
    expect(t.dp.rms).toBeCloseTo(Math.sqrt((0.0625 + 0.0625 + 0 + 0.25) / 4), 15);
    expect(t.dp.min).toBe(-0.5);
    expect(t.dp.max).toBe(0.25);
  });

  it("agrees with a straightforward computation over all rows (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kl: fc.double({ min: 0, max: 5, noNaN: true }),
            a: fc.nat(3),
            b: fc.nat(3),
            pBase: fc.double({ min: 1e-6, max: 1, noNaN: true }),
            pNew: fc.double({ min: 1e-6, max: 1, noNaN: true }),
          }),
          { minLength: 2, maxLength: 400 },
        ),
        (rows) => {
          const stats = createComparisonStats();
          for (const r of rows) {
            stats.add({
              kl: r.kl,
              top1Base: r.a,
              top1New: r.b,
              pBase: r.pBase,
              pNew: r.pNew,
              dp: r.pNew - r.pBase,
            });
          }
          const s = stats.summary();
          const kls = rows.map((r) => r.kl);
          const dps = rows.map((r) => r.pNew - r.pBase);
          const [klMean, klSe] = refMeanSe(kls);
          const qs: [keyof typeof s.kl, number][] = [
            ["p0_1", 0.001],
            ["p1", 0.01],
            ["p5", 0.05],
            ["p10", 0.1],
            ["median", 0.5],
            ["p90", 0.9],
            ["p95", 0.95],
            ["p99", 0.99],
            ["p99_9", 0.999],
          ];
          const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y));
          const t = s.targets!;
          const lnRatios = rows.map((r) => Math.log(r.pBase) - Math.log(r.pNew));
          const [lnMean, lnSe] = refMeanSe(lnRatios);
          return (
            close(s.kl.mean, klMean) &&
            close(s.kl.se, klSe) &&
            qs.every(
              ([k, q]) => close(s.kl[k], refPercentile(kls, q)) && close(t.dp[k], refPercentile(dps, q)),
            ) &&
            close(s.top1Same.ratio, rows.filter((r) => r.a === r.b).length / rows.length) &&
            close(Math.log(t.pplRatio), lnMean) &&
            close(t.lnPplRatioSe, lnSe) &&
            close(t.dp.rms, Math.sqrt(dps.reduce((x, y) => x + y * y, 0) / dps.length))
          );
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("refuses to summarize nothing", () => {
    expect(() => createComparisonStats().summary()).toThrow(InvalidParamsError);
  });
});
