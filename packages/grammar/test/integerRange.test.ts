import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteAutomaton } from "../src/ByteAutomaton.js";
import { integerRange } from "../src/integerRange.js";
import { lowerGrammar } from "../src/lowerGrammar.js";
import { matches } from "./helpers.js";

function automaton(lo: number, hi: number): ByteAutomaton {
  return new ByteAutomaton(lowerGrammar({ rules: new Map([["root", integerRange(lo, hi)]]), root: "root" }));
}

describe("integerRange", () => {
  it("matches exactly the numerals of [0, 150] among 0..2000 (and no leading zeros)", () => {
    const a = automaton(0, 150);
    for (let n = 0; n <= 2000; n++) expect(matches(a, String(n))).toBe(n <= 150);
    expect(matches(a, "007")).toBe(false);
    expect(matches(a, "")).toBe(false);
  });

  it("matches n iff lo ≤ n ≤ hi for random ranges", () => {
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.nat(100_000),
        fc.array(fc.nat(200_000), { minLength: 20, maxLength: 20 }),
        (x, y, probes) => {
          const lo = Math.min(x, y);
          const hi = Math.max(x, y);
          const a = automaton(lo, hi);
          for (const n of [...probes, lo, hi, lo - 1, hi + 1]) {
            if (n < 0) continue;
            expect(matches(a, String(n))).toBe(n >= lo && n <= hi);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
