import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compareRowsStrided, type RowComparison } from "../src/index.js";
import {
  compareRowsBackend,
  type RowPairSums,
  setCompareRowsBackend,
} from "../src/kernels/compareRowsBackend.js";
import { portableExp } from "../src/portableExp.js";

// The WebAssembly SIMD pass of compareRowsStrided (f64x2 lanes) and its JavaScript twin must give the
// same bits, and both must be the documented computation: portableExp per element, four float64
// strands (strand j: the elements i ≡ j (mod 4), in increasing i), each sum (s0 + s1) + (s2 + s3).

const NEG = Number.NEGATIVE_INFINITY;
const SEED = 20261204;

afterAll(() => setCompareRowsBackend("auto"));

/** The documented sums, written out from the contract (not from either backend). */
function documentedSums(a: Float32Array, b: Float32Array): [number, number, number] {
  let ma = NEG;
  let mb = NEG;
  for (let i = 0; i < a.length; i++) {
    ma = Math.max(ma, a[i]!);
    mb = Math.max(mb, b[i]!);
  }
  const sb = [0, 0, 0, 0];
  const sn = [0, 0, 0, 0];
  const c = [0, 0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    const e = portableExp(x);
    sb[i % 4] += e;
    sn[i % 4] += portableExp(y);
    if (e > 0) c[i % 4] += e * (x - y);
  }
  const total = (s: number[]) => s[0]! + s[1]! + (s[2]! + s[3]!);
  return [total(sb), total(sn), total(c)];
}

function sumsWith(mode: "auto" | "js", a: Float32Array, b: Float32Array): RowPairSums {
  setCompareRowsBackend(mode);
  const out: RowPairSums = {
    maxBase: 0,
    maxNew: 0,
    sumBase: 0,
    sumNew: 0,
    cross: 0,
    top1Base: 0,
    top1New: 0,
  };
  compareRowsBackend().pass(a, 0, b, 0, a.length, -1, out);
  return out;
}

function compareWith(
  mode: "auto" | "js",
  data: Float32Array,
  bo: number,
  no: number,
  v: number,
  target: number,
): RowComparison {
  setCompareRowsBackend(mode);
  return compareRowsStrided({ data, offset: bo, length: v }, { data, offset: no, length: v }, { target });
}

/** A logit drawn to hit every case: −Infinity, ties with the max, a wide range (exp underflow and
 * subnormal results need x < −708), a narrow one. */
const logit = fc.oneof(
  { weight: 1, arbitrary: fc.constant(NEG) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.float({ min: -30, max: 30, noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.float({ min: -800, max: 5, noNaN: true, noDefaultInfinity: true }) },
);

/** Two rows of the same length 1..70 (every remainder mod 4 and 8), each with a finite entry. */
const rowPair = fc
  .integer({ min: 1, max: 70 })
  .chain((v) =>
    fc.tuple(
      fc.array(logit, { minLength: v, maxLength: v }),
      fc.array(logit, { minLength: v, maxLength: v }),
      fc.nat(v - 1),
      fc.nat(v - 1),
      fc.nat(7),
    ),
  )
  .map(([av, bv, fa, fb, gap]) => {
    av[fa] = Number.isFinite(av[fa]!) ? av[fa]! : 1;
    bv[fb] = Number.isFinite(bv[fb]!) ? bv[fb]! : 1;
    return { a: Float32Array.from(av), b: Float32Array.from(bv), gap };
  });

describe("compareRowsStrided: the WebAssembly SIMD pass and its JavaScript twin", () => {
  it("runs the SIMD pass in this runtime", () => {
    setCompareRowsBackend("auto");
    expect(compareRowsBackend().name).toBe("wasm-simd");
    setCompareRowsBackend("js");
    expect(compareRowsBackend().name).toBe("js");
  });

  it("give the same bits on random rows at random offsets: −Infinity, ties, underflow, any length (property)", () => {
    fc.assert(
      fc.property(rowPair, fc.nat(), ({ a, b, gap }, t) => {
        const v = a.length;
        // Both rows inside one buffer, at offsets that are not multiples of 4.
        const data = new Float32Array(3 + v + gap + v + 2).fill(123);
        data.set(a, 3);
        data.set(b, 3 + v + gap);
        const target = t % v;
        const w = compareWith("auto", data, 3, 3 + v + gap, v, target);
        const j = compareWith("js", data, 3, 3 + v + gap, v, target);
        for (const k of Object.keys(w) as (keyof RowComparison)[]) {
          if (!Object.is(w[k], j[k])) return false;
        }
        return true;
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("both compute the documented sums exactly: portableExp, four strands, (s0 + s1) + (s2 + s3) (property)", () => {
    fc.assert(
      fc.property(rowPair, ({ a, b }) => {
        const [sb, sn, c] = documentedSums(a, b);
        for (const mode of ["auto", "js"] as const) {
          const s = sumsWith(mode, a, b);
          if (!(Object.is(s.sumBase, sb) && Object.is(s.sumNew, sn) && Object.is(s.cross, c))) return false;
        }
        return true;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("evaluate every entry of portableExp's 2^(j/64) table and its subnormal results exactly", () => {
    // x = −(64k + j)·ln2/64 for j = 0 … 63 and k from 0 to the subnormal range (x down to −745):
    // rounding x·64/ln2 gives n = −(64k + j), so every table entry and every power 2^-k is used.
    const xs: number[] = [0];
    for (let k = 0; k < 1076; k += 7) for (let j = 0; j < 64; j++) xs.push(-((64 * k + j) * Math.LN2) / 64);
    const a = Float32Array.from(xs);
    const b = Float32Array.from(xs, (x, i) => (i % 3 === 0 ? x : x * 0.999));
    const [sb, sn, c] = documentedSums(a, b);
    for (const mode of ["auto", "js"] as const) {
      const s = sumsWith(mode, a, b);
      expect([s.sumBase, s.sumNew, s.cross]).toEqual([sb, sn, c]);
    }
    // Subnormal results do reach C: the rows below agree except at one element of x ≈ −740.
    const tiny = Float32Array.from([0, -740]);
    const other = Float32Array.from([0, -741]);
    const [, , ct] = documentedSums(tiny, other);
    expect(ct).toBeGreaterThan(0);
    expect(ct).toBeLessThan(2 ** -1022); // a subnormal
    for (const mode of ["auto", "js"] as const) expect(sumsWith(mode, tiny, other).cross).toBe(ct);
  });

  it("handle V = 1 and rows shorter than one SIMD step", () => {
    for (const mode of ["auto", "js"] as const) {
      setCompareRowsBackend(mode);
      const one = Float32Array.from([3]);
      expect(
        compareRowsStrided(
          { data: one, offset: 0, length: 1 },
          { data: one, offset: 0, length: 1 },
          { target: 0 },
        ),
      ).toEqual({
        kl: 0,
        top1Base: 0,
        top1New: 0,
        pBase: 1,
        pNew: 1,
        dp: 0,
      });
      // P = [½, ½, 0], Q = [½, 0, ½]: a token allowed in base and banned in new makes KL infinite.
      const c = compareRowsStrided(
        { data: Float32Array.from([0, 0, NEG]), offset: 0, length: 3 },
        { data: Float32Array.from([0, NEG, 0]), offset: 0, length: 3 },
      );
      expect(c.kl).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it("report bad rows with the same typed errors, base first", () => {
    const cases: [number[], number[], RegExp][] = [
      [[0, Number.NaN, 1], [0, 0, 0], /row 9, index 1: NaN/],
      [
        [0, 0, 0, 0, 0, 0, 0, 0, 1, Number.POSITIVE_INFINITY],
        new Array(10).fill(0),
        /row 9, index 9: \+Infinity/,
      ],
      [[NEG, NEG], [0, 0], /row 9.*all tokens banned/],
      [[0, 0], [0, Number.NaN], /row 9, index 1: NaN/],
      [[Number.NaN, 0], [NEG, NEG], /row 9, index 0: NaN/], // base is checked first
    ];
    for (const [a, b, message] of cases) {
      for (const mode of ["auto", "js"] as const) {
        setCompareRowsBackend(mode);
        expect(() =>
          compareRowsStrided(
            { data: Float32Array.from(a), offset: 0, length: a.length },
            { data: Float32Array.from(b), offset: 0, length: b.length },
            { row: 9 },
          ),
        ).toThrow(message);
      }
    }
    for (const mode of ["auto", "js"] as const) {
      setCompareRowsBackend(mode);
      const data = new Float32Array(4);
      expect(() =>
        compareRowsStrided({ data, offset: 0, length: 0 }, { data, offset: 0, length: 0 }),
      ).toThrow(/empty row/);
      expect(() =>
        compareRowsStrided({ data, offset: 3, length: 2 }, { data, offset: 0, length: 2 }),
      ).toThrow(/outside the buffer/);
    }
  });
});
