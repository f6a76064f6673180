import { describe, expect, it } from "vitest";
import { auxUniform } from "../src/auxUniform.js";
import { philox4x32, uniform } from "../src/index.js";

describe("auxUniform", () => {
  it("is words 2–3 of the Philox block (Random123's all-zero known-answer vector)", () => {
    // philox4x32_10(ctr 0, key 0) = 6627e8d5 e169c58d bc57ac4c 9b00dbd8
    expect(auxUniform(0, 0, 0)).toBe((0xbc57ac4c * 2 ** 21 + (0x9b00dbd8 >>> 11)) / 2 ** 53);
  });

  it("uses the same block as uniform() and never equals it on these counters", () => {
    for (let s = 0; s < 50; s++) {
      const b = philox4x32(12, s, 3);
      expect(auxUniform(12, s, 3)).toBe((b[2]! * 2 ** 21 + (b[3]! >>> 11)) / 2 ** 53);
      expect(auxUniform(12, s, 3)).not.toBe(uniform(12, s, 3));
    }
  });
});
