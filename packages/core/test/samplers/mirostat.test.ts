import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCandidates, createSamplingContext, loadCandidates, uniform } from "../../src/index.js";
import { mirostat } from "../../src/samplers/mirostat.js";
import { mirostatV2 } from "../../src/samplers/mirostatV2.js";
import { CHI2_001, chiSquare, drawCounts } from "./chiSquare.js";
import { order, run, softmaxRef } from "./stageHelpers.js";

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

/**
 * One step of a mirostat version from its definition (float64, Math.exp/log, full sorts), given the
 * kept set `keep` it computed: the token drawn with u over the kept tokens in the order the stage left
 * them (`stageOrder`; the order is the stage's to choose, the rule — first running sum above u · Z — is
 * dist's) and μ ← μ − η · (−log₂ p_sel − τ) with p_sel normalized over the kept tokens.
 */
function drawAndUpdate(
  row: number[],
  keep: number[],
  stageOrder: number[],
  u: number,
  mu: number,
  o: { tau: number; eta: number },
): { token: number; mu: number } {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const z = keep.reduce((a, i) => a + e[i]!, 0);
  let token = stageOrder[stageOrder.length - 1]!;
  let cum = 0;
  for (const i of stageOrder) {
    cum += e[i]!;
    if (cum > u * z) {
      token = i;
      break;
    }
  }
  return { token, mu: mu - o.eta * (-Math.log2(e[token]! / z) - o.tau) };
}

/** Mirostat v2's kept set from its definition: p_i ≥ 2^−μ, at least the most likely token. */
function keepV2(row: number[], mu: number): number[] {
  const p = softmaxRef(row);
  const keep = p.flatMap((q, i) => (q >= 2 ** -mu ? [i] : []));
  return keep.length > 0 ? keep : [order(row)[0]!];
}

/** Mirostat v1's k from its definition (Zipf exponent ŝ over the top min(m, size) logits). */
function kV1(row: number[], mu: number, m: number): number {
  const sorted = order(row).map((i) => row[i]!);
  let tb = 0;
  let tt = 0;
  for (let i = 0; i < Math.min(m - 1, row.length - 1); i++) {
    const t = Math.log((i + 2) / (i + 1));
    tb += t * (sorted[i]! - sorted[i + 1]!);
    tt += t * t;
  }
  const s = tb / tt;
  const eps = s - 1;
  const k = ((eps * 2 ** mu) / (1 - row.length ** -eps)) ** (1 / s);
  if (k === Number.POSITIVE_INFINITY || k >= row.length) return row.length;
  if (Number.isNaN(k) || k < 1) return 1;
  return Math.floor(k);
}

/** Random float32 rows, values on a coarse grid (ties happen) or continuous. */
const rowsArb = fc.array(
  fc.oneof(
    fc.array(
      fc.integer({ min: -12, max: 12 }).map((v) => v / 4),
      { minLength: 2, maxLength: 24 },
    ),
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }).map(Math.fround), { minLength: 2, maxLength: 60 }),
  ),
  { minLength: 1, maxLength: 15 },
);

/**
 * Runs `stage` over `rows` (steps 0, 1, … of seed 4, stream 1) next to the definition: at each step the
 * kept set, the token and μ must agree (μ to 1e-9: the stage's exp/log are engine-independent ports).
 * Where a token sits exactly on the threshold (p_i = 2^−μ in v2; k an integer, or ŝ = 0 with a ratio of
 * 1 in v1), float64 rounding of 2^μ decides, so there the kept set may be anything between the sets at
 * μ ∓ 1e-9·max(1, |μ|). `topPrefix`: the kept set must also be a prefix of the (logit desc, id asc) order.
 * Returns how many steps were on such a boundary (most are not, so the check has teeth).
 */
function agreeOnSteps(
  stage: ReturnType<typeof mirostat>,
  rows: number[][],
  o: { tau: number; eta: number },
  keepRef: (row: number[], mu: number) => number[],
  topPrefix = false,
): number {
  const c = createCandidates();
  let mu = 2 * o.tau;
  let boundary = 0;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    const data = Float32Array.from(row);
    loadCandidates(c, data, 0, data.length, Math.max(...row));
    stage.apply(c, createSamplingContext(row.length, { seed: 4, stream: 1, step: k }));
    const stageOrder = Array.from(c.ids.subarray(0, c.size));
    const got = [...stageOrder].sort((a, b) => a - b);
    const keep = keepRef(row, mu);
    const delta = 1e-9 * Math.max(1, Math.abs(mu));
    const lo = keepRef(row, mu - delta);
    const hi = keepRef(row, mu + delta);
    if (lo.length === keep.length && hi.length === keep.length) {
      expect(got, `step ${k} kept set`).toEqual(keep);
    } else {
      boundary++;
      for (const i of lo) expect(got, `step ${k}: ${i} kept at μ − δ`).toContain(i);
      for (const i of got) expect(hi, `step ${k}: ${i} not kept at μ + δ`).toContain(i);
    }
    if (topPrefix) {
      expect(got, `step ${k} top prefix`).toEqual(
        order(row)
          .slice(0, got.length)
          .sort((a, b) => a - b),
      );
    }
    const want = drawAndUpdate(row, got, stageOrder, uniform(4, 1, k), mu, o);
    expect(c.ids[c.selected], `step ${k} token`).toBe(want.token);
    expect(Math.abs(stage.mu - want.mu), `step ${k} μ ${stage.mu} vs ${want.mu}`).toBeLessThan(1e-9);
    mu = want.mu;
  }
  return boundary;
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

  it("agrees with the definition on random rows over a sequence of steps: kept set, token, μ (property, fixed seed)", () => {
    let boundary = 0;
    let steps = 0;
    fc.assert(
      fc.property(
        rowsArb,
        fc.constantFrom(0.5, 1, 2, 3.5),
        fc.constantFrom(0.1, 0.5, 1),
        (rows, tau, eta) => {
          const o = { tau, eta };
          boundary += agreeOnSteps(mirostatV2(o), rows, o, keepV2);
          steps += rows.length;
        },
      ),
      { seed: 31, numRuns: 150 },
    );
    expect(boundary).toBeLessThan(steps / 10);
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

  it("agrees with the definition on random rows over a sequence of steps: k, token, μ (property, fixed seed)", () => {
    let boundary = 0;
    let steps = 0;
    fc.assert(
      fc.property(
        rowsArb,
        fc.constantFrom(1, 2, 3.5, 5),
        fc.constantFrom(0.1, 0.5, 1),
        fc.constantFrom(2, 5, 100),
        (rows, tau, eta, m) => {
          const o = { tau, eta };
          // the top k (ties → lower id) of the definition's k, at the μ of each step
          const keep = (row: number[], mu: number) =>
            order(row)
              .slice(0, kV1(row, mu, m))
              .sort((a, b) => a - b);
          boundary += agreeOnSteps(mirostat({ ...o, m }), rows, o, keep, true);
          steps += rows.length;
        },
      ),
      { seed: 32, numRuns: 150 },
    );
    expect(boundary).toBeLessThan(steps / 10);
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
