import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bfloat16BitsToNumber,
  decodeElements,
  encodeElements,
  float16BitsToNumber,
  float16Table,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from "../src/index.js";

describe("float16", () => {
  it("decodes hand-computed bit patterns exactly", () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xbc00, -1],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x0400, 2 ** -14],
      [0x7bff, 65504],
      [0x3555, 0.333251953125],
      [0x4000, 2],
      [0x7c00, Number.POSITIVE_INFINITY],
      [0xfc00, Number.NEGATIVE_INFINITY],
      [0x0000, 0],
    ];
    for (const [h, v] of cases) {
      expect(float16BitsToNumber(h)).toBe(v);
      expect(float16Table()[h]).toBe(v);
    }
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(Number.isNaN(float16BitsToNumber(0x7e00))).toBe(true);
    expect(Number.isNaN(float16Table()[0x7c01]!)).toBe(true);
  });

  it("round-trips every non-NaN binary16 pattern through the encoder", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = float16BitsToNumber(h);
      const back = numberToFloat16Bits(v);
      if (Number.isNaN(v) ? (back & 0x7e00) !== 0x7e00 : back !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it("rounds to nearest with ties to even, overflowing to Infinity past 65520", () => {
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3C00 and 0x3C01 → even
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3C01 and 0x3C02 → even
    expect(numberToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(numberToFloat16Bits(2 ** -25)).toBe(0x0000); // half of the smallest subnormal: tie → 0
    expect(numberToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 × 2^-24 → tie → even 2
    expect(numberToFloat16Bits(65519)).toBe(0x7bff);
    expect(numberToFloat16Bits(65520)).toBe(0x7c00);
    expect(numberToFloat16Bits(-1e9)).toBe(0xfc00);
  });

  it("decodes a buffer of f16 values at any byte alignment to the same floats", () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x3c, 0x01, 0x00, 0x00, 0xfc]); // 1, 2^-24, -Inf after one pad byte
    const out = new Float32Array(3);
    decodeElements(bytes, 1, 3, "f16", out, 0);
    expect(Array.from(out)).toEqual([1, 2 ** -24, Number.NEGATIVE_INFINITY]);
  });

  it("encodes any float32 to the nearest binary16 (property, fixed seed)", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -70000, max: 70000 }), (x) => {
        const h = numberToFloat16Bits(x);
        const v = float16BitsToNumber(h);
        const err = Math.abs(v - x);
        // No other binary16 value is strictly closer.
        for (const n of [h - 1, h + 1]) {
          if (n < 0 || n > 0xffff || (n & 0x7fff) > 0x7c00) continue;
          const w = float16BitsToNumber(n);
          if (Number.isFinite(w) && Number.isFinite(v)) expect(Math.abs(w - x)).toBeGreaterThanOrEqual(err);
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe("bfloat16", () => {
  it("decodes hand-computed bit patterns exactly", () => {
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xbf80)).toBe(-1);
    expect(bfloat16BitsToNumber(0x4049)).toBe(3.140625);
    expect(bfloat16BitsToNumber(0x0001)).toBe(2 ** -133);
    expect(bfloat16BitsToNumber(0x0080)).toBe(2 ** -126);
    expect(bfloat16BitsToNumber(0x7f80)).toBe(Number.POSITIVE_INFINITY);
    expect(bfloat16BitsToNumber(0xff80)).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(bfloat16BitsToNumber(0x7fc0))).toBe(true);
  });

  it("round-trips every non-NaN pattern and rounds ties to even", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = bfloat16BitsToNumber(h);
      if (!Number.isNaN(v) && numberToBfloat16Bits(v) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16BitsToNumber(numberToBfloat16Bits(Number.NaN)))).toBe(true);
  });

  it("decodes unaligned bf16 and f32 bytes to the same values as aligned ones", () => {
    const bf = new Uint8Array([0xaa, 0x80, 0x3f, 0x49, 0x40, 0x80, 0xff]);
    const out = new Float32Array(3);
    decodeElements(bf, 1, 3, "bf16", out, 0);
    expect(Array.from(out)).toEqual([1, 3.140625, Number.NEGATIVE_INFINITY]);
    const f = new Uint8Array(9);
    f.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 1);
    const out2 = new Float32Array(3);
    decodeElements(f, 1, 2, "f32", out2, 1);
    expect(Array.from(out2)).toEqual([0, 1.5, -2]);
  });

  it("decodes and encodes buffers consistently with the scalar functions", () => {
    const values = new Float32Array([1, -2.5, 3.140625, Number.NEGATIVE_INFINITY, 2 ** -133]);
    const bytes = encodeElements(values, 0, values.length, "bf16");
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x80, 0x3f]);
    const out = new Float32Array(values.length);
    decodeElements(bytes, 0, values.length, "bf16", out, 0);
    expect(Array.from(out)).toEqual(Array.from(values));
  });
});
