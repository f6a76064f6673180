import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tokenizer } from "../../src/index.js";
import { createSamplingContext, topK } from "../../src/index.js";
import { dry } from "../../src/samplers/dry.js";
import { drySequenceBreakers } from "../../src/samplers/drySequenceBreakers.js";
import { CHI2_001, chiSquare, samplerCounts } from "./chiSquare.js";
import { run, softmaxRef } from "./stageHelpers.js";

/** DRY from its definition, O(N²) and without the Z-algorithm: the float64 reference. */
function dryRef(
  logits: number[],
  hist: number[],
  o: { multiplier: number; base: number; allowed: number; lastN: number; breakers: number[][] },
): number[] {
  const h = o.lastN < 0 ? hist : hist.slice(Math.max(0, hist.length - o.lastN));
  const n = h.length;
  const out = logits.slice();
  if (o.multiplier === 0 || o.base < 1 || o.lastN === 0 || n <= o.allowed) return out;
  // repeat limit: the newest breaker occurrence (head at distance i from the end, tail after it)
  let limit = n;
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (const b of o.breakers) {
      const tail = b.slice(1);
      if (b[0] !== h[n - 1 - i] || tail.length > i) continue;
      if (tail.every((t, k) => t === h[n - i + k])) best = Math.max(best, tail.length);
    }
    if (best >= 0) {
      limit = i - best;
      break;
    }
  }
  if (limit < o.allowed) return out;
  const longest = new Map<number, number>();
  for (let j = 0; j < n - 1; j++) {
    let len = 0;
    while (len <= j && h[j - len] === h[n - 1 - len]) len++;
    len = Math.min(len, limit);
    if (len >= o.allowed) longest.set(h[j + 1]!, Math.max(longest.get(h[j + 1]!) ?? 0, len));
  }
  const maxExp = o.base > 1.000001 ? Math.floor(88.7228391 / Math.log(o.base)) : 0;
  for (const [t, len] of longest) {
    if (o.breakers.some((b) => b.length === 1 && b[0] === t)) continue;
    let e = len - o.allowed;
    if (maxExp > 0 && e > maxExp) e = maxExp;
    out[t] = out[t]! - o.multiplier * o.base ** e;
  }
  return out;
}

function applyDry(row: number[], hist: number[], stage: ReturnType<typeof dry>): number[] {
  for (const t of hist) stage.accept!(t);
  const r = run(row);
  stage.apply(r.c, createSamplingContext(row.length));
  const out = new Array<number>(row.length);
  for (let i = 0; i < r.c.size; i++) out[r.c.ids[i]!] = r.c.logits[i]!;
  return out;
}

describe("dry", () => {
  // llama.cpp's own unit test vectors (tests/test-sampling.cpp, test_dry): input probabilities,
  // history, expected probabilities after DRY, multiplier, base, allowed length, last n, breakers.
  it.each([
    {
      p: [0.25, 0.25, 0.25, 0.25],
      h: [0, 1],
      want: [0.25, 0.25, 0.25, 0.25],
      m: 1,
      b: 1.1,
      a: 2,
      n: 4,
      br: [],
    },
    {
      p: [0.25, 0.25, 0.25, 0.25],
      h: [0, 1, 2, 0, 1],
      want: [0.296923, 0.296923, 0.109232, 0.296923],
      m: 1,
      b: 1.1,
      a: 2,
      n: 5,
      br: [],
    },
    {
      p: [0.2, 0.2, 0.2, 0.2, 0.2],
      h: [0, 1, 3, 4, 0, 1],
      want: [0.2, 0.2, 0.2, 0.2, 0.2],
      m: 1,
      b: 1.1,
      a: 2,
      n: 6,
      br: [[3]],
    },
    {
      p: [0.2, 0.2, 0.2, 0.2, 0.2],
      h: [0, 1, 2, 0, 1],
      want: [0.241818, 0.241818, 0.032727, 0.241818, 0.241818],
      m: 2,
      b: 1.1,
      a: 2,
      n: 5,
      br: [],
    },
    {
      p: [0.2, 0.2, 0.2, 0.2, 0.2],
      h: [0, 1, 2, 3, 4, 0, 1],
      want: [0.2, 0.2, 0.2, 0.2, 0.2],
      m: 1,
      b: 1.1,
      a: 4,
      n: 7,
      br: [],
    },
  ])(
    "matches llama.cpp's test vector: history $h, multiplier $m, allowed $a, breakers $br",
    ({ p, h, want, m, b, a, n, br }) => {
      const got = applyDry(
        p.map(Math.log),
        h,
        dry({ multiplier: m, base: b, allowedLength: a, penaltyLastN: n, sequenceBreakers: br }),
      );
      softmaxRef(got).forEach((q, i) => {
        expect(q).toBeCloseTo(want[i]!, 5);
      });
    },
  );

  it("penalizes the continuation of a repeat by multiplier · base^(L − allowed) (worked value)", () => {
    // history a b c d a b c: the suffix a b c (L = 3) occurred before, followed by d → −1 · 2^(3−2) = −2
    const got = applyDry(
      [0, 0, 0, 0, 0],
      [0, 1, 2, 3, 0, 1, 2],
      dry({ multiplier: 1, base: 2, allowedLength: 2 }),
    );
    expect(got).toEqual([0, 0, 0, -2, 0]);
  });

  it("a multi-token breaker caps the repeat at the tokens after it", () => {
    // breaker [5, 6]; history x y 5 6 x y | x y: repeats cannot reach across "5 6"
    const s = () => dry({ multiplier: 1, base: 2, allowedLength: 1, sequenceBreakers: [[5, 6]] });
    expect(applyDry(new Array(8).fill(0), [0, 1, 5, 6, 0, 1], s())).toEqual(
      dryRef(new Array(8).fill(0), [0, 1, 5, 6, 0, 1], {
        multiplier: 1,
        base: 2,
        allowed: 1,
        lastN: -1,
        breakers: [[5, 6]],
      }),
    );
    expect(applyDry(new Array(8).fill(0), [0, 1, 5, 6, 0, 1], s())[5]).toBe(-2);
  });

  it("agrees with the definition on random histories, breakers and settings (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(-1, 0, 5, 20),
        fc.constantFrom(1, 1.75, 3),
        (hist, breakers, allowed, lastN, base) => {
          const row = [0.5, -0.25, 1, 0, -1];
          const o = { multiplier: 0.8, base, allowed, lastN, breakers };
          const got = applyDry(
            row,
            hist,
            dry({
              multiplier: 0.8,
              base,
              allowedLength: allowed,
              penaltyLastN: lastN,
              sequenceBreakers: breakers,
            }),
          );
          dryRef(row, hist, o).forEach((v, i) => {
            expect(got[i]).toBeCloseTo(v, 5);
          });
        },
      ),
      { seed: 21, numRuns: 400 },
    );
  });

  it("the full sampler draws from softmax of the DRY-penalized logits (χ² at a fixed seed)", () => {
    // history 2 0 1 3 5 2 0 1 4 2 0 1: the suffix "2 0 1" (L = 3) occurred twice before, followed by 3
    // and by 4 (no other earlier position ends in "0 1"); with allowed 2, base 1.75, multiplier 0.8,
    // tokens 3 and 4 lose 0.8 · 1.75^(3−2) = 1.4 (worked by hand; dryRef must agree). They carry much
    // of the mass, so a penalty 10% off moves χ² well past the critical value.
    const row = [0.2, 0.15, 0.15, 0.2, 0.2, 0.1].map(Math.log);
    const hist = [2, 0, 1, 3, 5, 2, 0, 1, 4, 2, 0, 1];
    const o = { multiplier: 0.8, base: 1.75, allowed: 2, lastN: -1, breakers: [] };
    const penalized = dryRef(row, hist, o);
    const byHand = row.map((v, i) => (i === 3 || i === 4 ? v - 1.4 : v));
    penalized.forEach((v, i) => {
      expect(v).toBeCloseTo(byHand[i]!, 12);
    });
    const params = {
      dryMultiplier: 0.8,
      dryBase: 1.75,
      dryAllowedLength: 2,
      dryPenaltyLastN: -1,
      drySequenceBreakers: [],
      seed: 11,
    };
    const counts = samplerCounts(params, hist, Array.from(Float32Array.from(row)), 20_000);
    const { stat, df } = chiSquare(counts, softmaxRef(Array.from(Float32Array.from(byHand))));
    expect(df).toBe(5);
    expect(stat).toBeLessThan(CHI2_001[df]!);
    // Without the penalty the same counts are far off: the test sees DRY (p₃ + p₄: 0.4 → 0.14).
    expect(chiSquare(counts, softmaxRef(row)).stat).toBeGreaterThan(CHI2_001[5]! * 10);
  });

  it("works on a sorted set (after top-k): the set is returned to id order", () => {
    const s = dry({ multiplier: 1, base: 2, allowedLength: 2 });
    for (const t of [0, 1, 2, 3, 0, 1, 2]) s.accept!(t);
    const r = run([0, 0.1, 0.2, 0.3, 0.4], topK(4));
    s.apply(r.c, createSamplingContext(5));
    expect(r.c.sorted).toBe(false);
    expect(Array.from(r.c.ids.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(r.c.logits[2]).toBeCloseTo(0.3 - 2, 6);
  });

  it("state survives clone and saveState/loadState (JSON); penaltyLastN bounds what it keeps", () => {
    const a = dry({ multiplier: 1, base: 2, allowedLength: 2, penaltyLastN: 6 });
    for (const t of [9, 9, 0, 1, 2, 3, 0, 1]) a.accept!(t);
    expect(a.saveState!()).toEqual([0, 1, 2, 3, 0, 1]);
    const b = a.clone();
    const c = dry({ multiplier: 1, base: 2, allowedLength: 2, penaltyLastN: 6 });
    c.loadState!(JSON.parse(JSON.stringify(a.saveState!())));
    const row = new Array(10).fill(0);
    const ra = run(row);
    const rb = run(row);
    const rc = run(row);
    a.apply(ra.c, createSamplingContext(10));
    b.apply(rb.c, createSamplingContext(10));
    c.apply(rc.c, createSamplingContext(10));
    expect(ra.c.logits[2]).toBe(-1);
    expect(Array.from(rb.c.logits)).toEqual(Array.from(ra.c.logits));
    expect(Array.from(rc.c.logits)).toEqual(Array.from(ra.c.logits));
  });
});

describe("drySequenceBreakers", () => {
  // vocabulary: 0 "a", 1 "\n", 2 "x\n", 3 "b:", 4 ":", 5 "ab", 6 "c", 7 "ca"
  const words = ["a", "\n", "x\n", "b:", ":", "ab", "c", "ca"];
  const tok: Tokenizer = {
    vocabSize: words.length,
    tokenBytes: (id) => Uint8Array.from(Array.from(words[id]!, (ch) => ch.charCodeAt(0))),
    encode: (text) => {
      // greedy longest match, enough for the test
      const out: number[] = [];
      let i = 0;
      while (i < text.length) {
        let best = -1;
        for (let id = 0; id < words.length; id++) {
          if (text.startsWith(words[id]!, i) && (best < 0 || words[id]!.length > words[best]!.length))
            best = id;
        }
        out.push(best);
        i += words[best]!.length;
      }
      return out;
    },
  };

  it("lists every token containing a breaker as a one-token breaker", () => {
    expect(drySequenceBreakers(["\n", ":"], tok)).toEqual([[1], [2], [3], [4]]);
  });

  it("adds head + tail sequences where a token ends with the start of the breaker", () => {
    // "a:": no token contains it; "a" (0) and "ca" (7) end with "a", so ":" (4) must follow them
    expect(drySequenceBreakers(["a:"], tok)).toEqual([
      [0, 4],
      [7, 4],
    ]);
    // "ac": "a" and "ca" end with "a", then "c" (6); "c" (6) itself does not start "ac"
    expect(drySequenceBreakers(["ac"], tok)).toEqual([
      [0, 6],
      [7, 6],
    ]);
  });
});
