import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Sequences } from "../src/utf8Sequences.js";

const enc = new TextEncoder();

function matchesSome(seqs: [number, number][][], bytes: Uint8Array): number {
  let n = 0;
  for (const s of seqs) {
    if (s.length === bytes.length && s.every(([lo, hi], i) => bytes[i]! >= lo && bytes[i]! <= hi)) n++;
  }
  return n;
}

const scalar = fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff);

describe("utf8Sequences", () => {
  it("encodes single code points as TextEncoder does", () => {
    expect(utf8Sequences(0x41, 0x41)).toEqual([[[0x41, 0x41]]]);
    expect(utf8Sequences(0xe9, 0xe9)).toEqual([
      [
        [0xc3, 0xc3],
        [0xa9, 0xa9],
      ],
    ]);
    expect(utf8Sequences(0x20ac, 0x20ac)).toEqual([
      [
        [0xe2, 0xe2],
        [0x82, 0x82],
        [0xac, 0xac],
      ],
    ]);
    expect(utf8Sequences(0x1f389, 0x1f389)).toEqual([
      [
        [0xf0, 0xf0],
        [0x9f, 0x9f],
        [0x8e, 0x8e],
        [0x89, 0x89],
      ],
    ]);
  });

  it("leaves out the surrogates", () => {
    expect(utf8Sequences(0xd800, 0xdfff)).toEqual([]);
  });

  it("matches every code point of the range exactly once and nothing outside it", () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, (x, y, probe) => {
        const lo = Math.min(x, y);
        const hi = Math.max(x, y);
        const seqs = utf8Sequences(lo, hi);
        const n = matchesSome(seqs, enc.encode(String.fromCodePoint(probe)));
        expect(n).toBe(probe >= lo && probe <= hi ? 1 : 0);
      }),
      { numRuns: 3000 },
    );
  });
});
