import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeProbs } from "../../src/candidates.js";
import { createCandidates, loadCandidates, topK, typicalP } from "../../src/index.js";
import { portableLog } from "../../src/portableLog.js";
import { keptSet, NEG, run, typicalRef } from "./stageHelpers.js";

describe("typicalP", () => {
  const L = Math.log;
  // p = [0.6, 0.3, 0.05, 0.05]: H ≈ 0.9986; |−ln p − H| ≈ [0.488, 0.205, 1.997, 1.997]
  const row = [L(0.6), L(0.3), L(0.05), L(0.05)];
  it.each([
    { p: 1, want: [0, 1, 2, 3] },
    { p: 0.2, want: [1] },
    { p: 0.5, want: [0, 1] },
    { p: 0.92, want: [0, 1, 2] },
    { p: 0.99, want: [0, 1, 2, 3] },
  ])("keeps the most typical tokens up to mass p = $p", ({ p, want }) => {
    expect(keptSet(row, typicalP(p))).toEqual(want);
    expect(keptSet(row, typicalP(p))).toEqual(typicalRef(row, p));
  });

  it("returns the kept set sorted by logit, and drops -Infinity-masked tokens", () => {
    const r = run([L(0.3), NEG, L(0.6), L(0.1)], typicalP(0.95));
    expect(r.ids).toEqual([2, 0, 3]);
    expect(r.sorted).toBe(true);
  });

  it("agrees with the definition after top-k and on random rows", () => {
    let x = 12345;
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + (trial % 30);
      const r: number[] = [];
      for (let i = 0; i < n; i++) {
        x = (x * 48271) % 2147483647;
        r.push(Math.fround((x / 2147483647) * 8 - 4));
      }
      for (const p of [0.1, 0.5, 0.9]) expect(keptSet(r, typicalP(p))).toEqual(typicalRef(r, p));
    }
  });

  it("after top-k works on the renormalized survivors (kept sets by hand)", () => {
    // top-k 2 keeps tokens 0, 1 → q = [2/3, 1/3], H = ln 3 − (2/3) ln 2 ≈ 0.6365;
    // |−ln q − H| ≈ [0.231, 0.462]: token 0 first; its mass 2/3 reaches 0.5 but not 0.7.
    expect(run(row, topK(2), typicalP(0.5)).ids).toEqual([0]);
    expect(run(row, topK(2), typicalP(0.7)).ids).toEqual([0, 1]);
    // the same as the definition on the two-token row itself
    expect(typicalRef([L(0.6), L(0.3)], 0.5)).toEqual([0]);
    expect(typicalRef([L(0.6), L(0.3)], 0.7)).toEqual([0, 1]);
  });
});

describe("typicalP on a whole vocabulary (only the candidates that can be kept are sorted)", () => {
  /**
   * The stage's definition computed the plain way: every candidate sorted by (typicality, id), the mass
   * summed in that order until it reaches p·Σe, at least minKeep kept — from the same float64 e_i, so the
   * kept set must be identical, not just close.
   */
  function fullSortRef(row: Float32Array, p: number, minKeep: number): number[] {
    const c = createCandidates();
    let max = NEG;
    for (const v of row) if (v > max) max = v;
    loadCandidates(c, row, 0, row.length, max);
    computeProbs(c);
    const n = c.size;
    const z = c.probsSum;
    const logZ = portableLog(z);
    let h = 0;
    for (let i = 0; i < n; i++) if (c.probs[i]! > 0) h -= (c.probs[i]! / z) * (c.logits[i]! - max - logZ);
    const key = (i: number) =>
      c.probs[i]! > 0 ? Math.abs(-(c.logits[i]! - max - logZ) - h) : Number.POSITIVE_INFINITY;
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => key(a) - key(b) || c.ids[a]! - c.ids[b]!,
    );
    let kept = n;
    let cum = 0;
    for (let j = 0; j < n; j++) {
      cum += c.probs[order[j]!]!;
      if (cum >= p * z) {
        kept = j + 1;
        break;
      }
    }
    kept = Math.max(kept, Math.min(minKeep, n));
    return order.slice(0, kept).map((i) => c.ids[i]!);
  }

  function makeRow(seed: number, n: number, kind: number): Float32Array {
    const r = new Float32Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      const u = x / 2 ** 32;
      // 0: flat; 1: peaked like a language model (a few likely tokens over a long tail); 2: coarse
      // values with many exact ties of typicality; 3: a tail of banned (-Infinity) tokens.
      r[i] =
        kind === 0
          ? (u - 0.5) * 4
          : kind === 1
            ? (u - 0.5) * 6 - (i % 37 === 0 ? 0 : 14)
            : kind === 2
              ? Math.round(u * 6)
              : i % 3 === 0
                ? NEG
                : (u - 0.5) * 8;
    }
    if (kind === 3) r[0] = 1;
    return r;
  }

  it("keeps exactly the set a full sort keeps (V up to 40,000; flat, peaked, tied, masked rows)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 40_000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0.05, 0.3, 0.9, 0.99, 1 - 1e-12),
        fc.constantFrom(1, 7, 3000),
        (seed, n, kind, p, minKeep) => {
          const row = makeRow(seed, n, kind);
          const got = run(row, typicalP(p, { minKeep })).ids;
          expect([...got].sort((a, b) => a - b)).toEqual(fullSortRef(row, p, minKeep).sort((a, b) => a - b));
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });

  it("is still sorted by logit then id after the bounded sort", () => {
    const row = makeRow(99, 50_000, 1);
    const r = run(row, typicalP(0.9));
    for (let j = 1; j < r.ids.length; j++) {
      const ok =
        r.logits[j - 1]! > r.logits[j]! || (r.logits[j - 1] === r.logits[j] && r.ids[j - 1]! < r.ids[j]!);
      expect(ok).toBe(true);
    }
  });
});
