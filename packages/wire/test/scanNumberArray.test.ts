import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanNumberArray } from "../src/index.js";
import { utf8 } from "./helpers.js";

/**
 * The reference: what JSON.parse gives, rounded to float32, with −∞ spelled as JSON writers spell it
 * (null, "-Infinity", and the bare -Infinity JSON.parse itself rejects); null when JSON.parse rejects
 * or yields anything else.
 */
function reference(text: string): number[] | null {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/(?<!")-Infinity(?!")/g, "null"));
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  const m = v.map((x) => (x === null || x === "-Infinity" ? Number.NEGATIVE_INFINITY : x));
  if (!m.every((x) => typeof x === "number")) return null;
  return m.map((x) => Math.fround(x));
}

const out = new Float32Array(4096);
function scan(text: string): number[] | null {
  const b = utf8(text);
  try {
    const n = scanNumberArray(b, 0, b.length, out, 0, out.length);
    return Array.from(out.subarray(0, n));
  } catch {
    return null;
  }
}

function sameBits(a: number[] | null, b: number[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function nextUp32(x: number): number {
  f32[0] = x;
  u32[0] = u32[0]! + (x >= 0 ? 1 : -1);
  return f32[0]!;
}

describe("scanNumberArray", () => {
  it("gives exactly Math.fround(JSON.parse(x)) on edge cases", () => {
    const edge = [
      "0",
      "-0",
      "0.0",
      "-0.0e5",
      "1",
      "-1",
      "0.1",
      "3.4028234663852886e38",
      "3.4028235677973366e38",
      "3.5e38",
      "1e39",
      "-1e999",
      "1e999",
      "1.401298464324817e-45",
      "7.006492321624085e-46",
      "7.006492321624086e-46",
      "1e-46",
      "1e-400",
      "1.1754943508222875e-38",
      "123456789012345678901234567890",
      "0.000000000000000000000000000001",
      "9007199254740993",
      "2.7182818284590452353602874713527",
      "1E2",
      "1e+2",
      "1e-2",
      "5e-324",
      "1.7976931348623157e308",
      "16777217",
      "0.10000000149011612",
      "0.30000001192092896",
      "-3.4028236e38",
      "4.9406564584124654e-324",
    ];
    for (const e of edge) {
      const text = `[${e}]`;
      expect(scan(text), e).toEqual(reference(text));
      expect(sameBits(scan(text), reference(text)), e).toBe(true);
    }
  });

  it("matches JSON.parse on decimal strings of float32 rounding midpoints (where double rounding bites)", () => {
    const bad: string[] = [];
    let s = 12345;
    for (let i = 0; i < 8000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const bits = s & 0x7f7fffff;
      f32[0] = 0;
      u32[0] = bits;
      const a = f32[0]!;
      const mid = (a + nextUp32(a)) / 2; // exact in double
      for (const t of [
        mid.toPrecision(17),
        mid.toPrecision(21),
        mid.toString(),
        (mid * (1 + 2 ** -50)).toPrecision(20),
      ]) {
        const text = `[${t}]`;
        if (!sameBits(scan(text), reference(text))) bad.push(t);
      }
    }
    expect(bad).toEqual([]);
  });

  it("matches Math.fround(JSON.parse) on random doubles, float32s and digit strings (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.float().map((x) => x),
            fc.integer(),
          ),
          { maxLength: 20 },
        ),
        (xs) => {
          const text = JSON.stringify(xs);
          expect(sameBits(scan(text), reference(text))).toBe(true);
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
    const digits = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,25})$/),
        fc.option(fc.stringMatching(/^[0-9]{1,25}$/)),
        fc.option(fc.integer({ min: -60, max: 60 })),
      )
      .map(
        ([neg, int, frac, exp]) =>
          `${neg ? "-" : ""}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : `e${exp}`}`,
      );
    fc.assert(
      fc.property(fc.array(digits, { minLength: 1, maxLength: 8 }), (ns) => {
        const text = `[${ns.join(",")}]`;
        expect(sameBits(scan(text), reference(text))).toBe(true);
      }),
      { seed: 8, numRuns: 5000 },
    );
  });

  it("rejects exactly what JSON.parse rejects (or yields non-numbers for), on number-like garbage (property, fixed seed)", () => {
    const alphabet = fc.constantFrom(..."0123456789-+.eE ,[]\tnulxa\r".split(""));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }), (cs) => {
        const text = `[${cs.join("")}`;
        expect(scan(text) === null).toBe(reference(text) === null);
        if (reference(text) !== null) expect(sameBits(scan(text), reference(text))).toBe(true);
      }),
      { seed: 9, numRuns: 6000 },
    );
  });

  it("rejects the JSON number forms JSON.parse rejects", () => {
    for (const bad of [
      "[01]",
      "[.5]",
      "[5.]",
      "[+1]",
      "[1e]",
      "[-]",
      "[NaN]",
      "[Infinity]",
      "[0x10]",
      "[1,]",
      "[,1]",
      "[1 2]",
      "[[1]]",
      '["1"]',
      "[nul]",
      '["-Infinity]',
      "[-Inf]",
      "[1]x",
      "1",
    ]) {
      expect(scan(bad), bad).toBeNull();
      expect(reference(bad), bad).toBeNull();
    }
  });

  it("reports an array longer than the capacity as capacity + 1 without writing past it", () => {
    const b = utf8("[1,2,3,4]");
    const out = new Float32Array(4).fill(9);
    expect(scanNumberArray(b, 0, b.length, out, 1, 2)).toBe(3);
    expect(Array.from(out)).toEqual([9, 1, 2, 9]);
  });

  it('reads null, -Infinity and "-Infinity" as −∞ (how our records and other JSON writers spell it)', () => {
    const ninf = Number.NEGATIVE_INFINITY;
    expect(scan("[1,null,2]")).toEqual([1, ninf, 2]);
    expect(scan("[ -Infinity , 0.5 ]")).toEqual([ninf, 0.5]);
    expect(scan('["-Infinity",3]')).toEqual([ninf, 3]);
    for (const t of ["[1,null,2]", "[ -Infinity , 0.5 ]", '["-Infinity",3]'])
      expect(sameBits(scan(t), reference(t)), t).toBe(true);
  });
});
