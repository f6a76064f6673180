import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EpochSet } from "../src/EpochSet.js";

describe("EpochSet", () => {
  it("adds, reports duplicates and forgets everything on clear", () => {
    const s = new EpochSet();
    expect(s.add(5)).toBe(true);
    expect(s.add(5)).toBe(false);
    expect(s.add(2 ** 40 + 5)).toBe(true); // same low 32 bits as 5, another key
    expect(s.add(0)).toBe(true);
    expect(s.size).toBe(3);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.add(5)).toBe(true);
    expect(s.add(0)).toBe(true);
    expect(s.size).toBe(2);
  });

  it("property: agrees with a built-in Set over any sequence of adds and clears, across table growth", () => {
    const key = fc.oneof(
      fc.nat({ max: 300 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.nat({ max: 1000 }).map((x) => x * 4096), // keys sharing their low bits
    );
    fc.assert(
      fc.property(fc.array(fc.option(key, { freq: 30 }), { maxLength: 600 }), (ops) => {
        const s = new EpochSet();
        const ref = new Set<number>();
        for (const op of ops) {
          if (op === null) {
            s.clear();
            ref.clear();
            continue;
          }
          expect(s.add(op)).toBe(!ref.has(op));
          ref.add(op);
          expect(s.size).toBe(ref.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
