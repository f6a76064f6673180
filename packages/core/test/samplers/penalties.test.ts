import { describe, expect, it } from "vitest";
import { penalties, topK } from "../../src/index.js";
import { NEG, run } from "./stageHelpers.js";

describe("penalties", () => {
  it("applies the repetition sign rule, then frequency and presence, worked by hand", () => {
    const s = penalties({ repetition: 2, frequency: 0.5, presence: 0.25 });
    s.accept!(1);
    s.accept!(1);
    s.accept!(2);
    s.accept!(4);
    // token 1 (count 2): 3 / 2 − 2·0.5 − 0.25 = 0.25
    // token 2 (count 1): −1 · 2 − 0.5 − 0.25 = −2.75
    // token 4 (count 1): 0 · 2 − 0.5 − 0.25 = −0.75  (0 is not positive: multiplied)
    // token 0 and 3 are untouched; 3 is masked and stays masked
    const r = run([1, 3, -1, NEG, 0], s);
    expect(r.logits).toEqual([1, 0.25, -2.75, NEG, -0.75]);
  });

  it("looks only at the last `window` accepted tokens", () => {
    const s = penalties({ presence: 1, window: 2 });
    for (const t of [0, 1, 2]) s.accept!(t); // window holds [1, 2]
    expect(run([0, 0, 0, 0], s).logits).toEqual([0, -1, -1, 0]);
    expect(s.saveState!()).toEqual([1, 2]);
  });

  it("forgets on reset, restores saved state and clones it", () => {
    const s = penalties({ frequency: 1 });
    s.accept!(0);
    const c = s.clone();
    s.reset!();
    expect(run([0, 0], s).logits).toEqual([0, 0]);
    expect(run([0, 0], c).logits).toEqual([-1, 0]);
    s.loadState!([1, 1]);
    expect(run([0, 0], s).logits).toEqual([0, -2]);
  });

  it("is a no-op with default values or an empty window, and finds tokens in a sorted set", () => {
    const off = penalties({});
    off.accept!(0);
    expect(run([2, 1], off).logits).toEqual([2, 1]);
    const s = penalties({ repetition: 4 });
    s.accept!(0);
    const r = run([8, 1, 3], topK(2), s);
    expect(r.ids).toEqual([0, 2]);
    expect(r.logits).toEqual([2, 3]);
  });
});
