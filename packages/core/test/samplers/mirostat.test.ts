import { describe, expect, it } from "vitest";
import { createCandidates, createSamplingContext, loadCandidates, uniform } from "../../src/index.js";
import { mirostat } from "../../src/samplers/mirostat.js";
import { mirostatV2 } from "../../src/samplers/mirostatV2.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { run, softmaxRef } from "./stageHelpers.js";

const L = Math.log;

/** A row whose probabilities follow Zipf's law p_i ∝ 1 / (i + 1)^s exactly (in float64; float32 logits). */
function zipfRow(v: number, s: number): number[] {
  return Array.from({ length: v }, (_, i) => -s * Math.log(i + 1));
}

/** Runs `stage` over `rows` at steps 0, 1, … of stream 0, seed 3; returns the selected tokens. */
function drive(stage: ReturnType<typeof mirostat>, rows: number[][], from = 0): number[] {
  const c = createCandidates();
  return rows.map((row, k) => {
    const data = Float32Array.from(row);
    loadCandidates(c, data, 0, data.length, Math.max(...row));
    stage.apply(c, createSamplingContext(row.length, { seed: 3, stream: 0, step: from + k }));
    return c.ids[c.selected]!;
  });
}

describe("mirostatV2", () => {
  it("keeps p ≥ 2^−μ, draws with dist's rule and moves μ by η · (surprise − τ) (worked values)", () => {
    // p = [0.5, 0.25, 0.125, 0.125], τ = 1.25 → μ = 2.5: keep p ≥ 2^−2.5 = 0.177 → tokens 0, 1 (2/3, 1/3)
    const row = [L(0.5), L(0.25), L(0.125), L(0.125)];
    for (let stream = 0; stream < 20; stream++) {
      const s = mirostatV2({ tau: 1.25, eta: 0.1 });
      const r = run(row);
      s.apply(r.c, createSamplingContext(4, { seed: 7, stream, step: 0 }));
      expect(r.c.size).toBe(2);
      const want = uniform(7, stream, 0) < 2 / 3 ? 0 : 1;
      expect(r.c.ids[r.c.selected]).toBe(want);
      const surprise = want === 0 ? Math.log2(1.5) : Math.log2(3);
      expect(s.mu).toBeCloseTo(2.5 - 0.1 * (surprise - 1.25), 6);
    }
  });

  it("keeps the most likely token when μ is below every surprise", () => {
    const s = mirostatV2({ tau: -1, eta: 0.1 }); // μ = −2: 2^2 = 4 > any p
    const r = run([0, 1, 0.5]);
    s.apply(r.c, createSamplingContext(3));
    expect(r.c.ids[r.c.selected]).toBe(1);
  });

  it("with η = 0 draws from the fixed truncation (χ² at a fixed seed)", () => {
    const row = [L(0.4), L(0.3), L(0.2), L(0.1)];
    // τ = 1.5 → μ = 3, cut at 2^−3 = 0.125: tokens 0, 1, 2
    const counts = drawCounts(row, () => [mirostatV2({ tau: 1.5, eta: 0 })], 30_000, 5);
    const { stat, df } = chiSquare(counts, [0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9, 0]);
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("state: clone and saveState/loadState continue exactly like the original; reset goes back to 2τ", () => {
    const rows = Array.from({ length: 30 }, (_, k) => zipfRow(50, 0.8 + (k % 5) / 10));
    const a = mirostatV2({ tau: 3, eta: 0.2 });
    drive(a, rows.slice(0, 10));
    const b = a.clone() as typeof a;
    const saved = JSON.parse(JSON.stringify(a.saveState())) as number[];
    const c = mirostatV2({ tau: 3, eta: 0.2 });
    c.loadState(saved);
    const ta = drive(a, rows.slice(10), 10);
    expect(drive(b, rows.slice(10), 10)).toEqual(ta);
    expect(drive(c, rows.slice(10), 10)).toEqual(ta);
    expect(b.mu).toBe(a.mu);
    a.reset!();
    expect(a.mu).toBe(6);
  });

  it.each([2, 3, 4])(
    "holds the observed surprise near τ = %d bits on a Zipf row (the controller works)",
    (tau) => {
      const s = mirostatV2({ tau, eta: 0.1 });
      const row = zipfRow(1000, 1.1);
      const data = Float32Array.from(row);
      const c = createCandidates();
      let total = 0;
      for (let k = 0; k < 600; k++) {
        loadCandidates(c, data, 0, data.length, 0);
        s.apply(c, createSamplingContext(1000, { seed: 1, stream: 0, step: k }));
        if (k >= 100) total += -Math.log2(c.probs[c.selected]! / c.probsSum);
      }
      // the untruncated Zipf(1.1) row over 1000 tokens has entropy 6.80 bits: far from every τ here
      expect(Math.abs(total / 500 - tau)).toBeLessThan(0.3);
    },
  );
});

describe("mirostat (v1)", () => {
  it("estimates ŝ exactly on a Zipf row and keeps the top ⌊k⌋ (worked value)", () => {
    // p_i ∝ (i+1)^−1.2 → b_i = 1.2 t_i, ŝ = 1.2, ε̂ = 0.2; μ = 2τ = 10, V = 1000:
    // k = (0.2 · 2^10 / (1 − 1000^−0.2))^(1/1.2) = (204.8 / 0.748811)^(0.83333) = 107.35… → 107
    const k = ((0.2 * 1024) / (1 - 1000 ** -0.2)) ** (1 / 1.2);
    expect(Math.floor(k)).toBe(107);
    const s = mirostat({ tau: 5, eta: 0.1 });
    const r = run(zipfRow(1000, 1.2));
    s.apply(r.c, createSamplingContext(1000, { seed: 2, stream: 0, step: 0 }));
    expect(r.c.size).toBe(107);
    expect(Array.from(r.c.ids.subarray(0, 3))).toEqual([0, 1, 2]);
    const sel = r.c.ids[r.c.selected]!;
    expect(sel).toBeLessThan(107);
    const z = Array.from({ length: 107 }, (_, i) => (i + 1) ** -1.2).reduce((a, b) => a + b, 0);
    const surprise = -Math.log2((sel + 1) ** -1.2 / z);
    expect(s.mu).toBeCloseTo(10 - 0.1 * (surprise - 5), 4);
  });

  it("with η = 0 draws from the renormalized top k (χ² at a fixed seed)", () => {
    // Zipf(2) over 8 tokens: ŝ = 2, ε̂ = 1; τ = 2 → μ = 4: k = (1 · 2^4 / (1 − 8^−1))^(1/2) = 4.276 → top 4
    const row = zipfRow(8, 2);
    const k = Math.floor((16 / 0.875) ** 0.5);
    expect(k).toBe(4);
    const p = softmaxRef(row).map((v, i) => (i < 4 ? v : 0));
    const z = p.reduce((a, b) => a + b, 0);
    const counts = drawCounts(row, () => [mirostat({ tau: 2, eta: 0 })], 30_000, 6);
    const { stat, df } = chiSquare(
      counts,
      p.map((v) => v / z),
    );
    expect(stat).toBeLessThan(CHI2_001[df]!);
  });

  it("state: clone and saveState/loadState continue exactly like the original", () => {
    const rows = Array.from({ length: 24 }, (_, k) => zipfRow(300, 0.9 + (k % 4) / 10));
    const a = mirostat({ tau: 4, eta: 0.3 });
    drive(a, rows.slice(0, 8));
    const b = a.clone() as typeof a;
    const c = mirostat({ tau: 4, eta: 0.3 });
    c.loadState(JSON.parse(JSON.stringify(a.saveState())));
    const ta = drive(a, rows.slice(8), 8);
    expect(drive(b, rows.slice(8), 8)).toEqual(ta);
    expect(drive(c, rows.slice(8), 8)).toEqual(ta);
  });

  it("selects a single candidate without a draw", () => {
    const s = mirostat({ tau: 5, eta: 0.1 });
    const r = run([3]);
    s.apply(r.c, createSamplingContext(1));
    expect(r.c.selected).toBe(0);
    expect(s.mu).toBeCloseTo(10 - 0.1 * (0 - 5), 12);
  });
});
