import { describe, expect, it } from "vitest";
import { auxUniform } from "../src/auxUniform.js";
import { InvalidParamsError, uniform } from "../src/index.js";
import { speculativeAccept } from "../src/speculativeAccept.js";
import { CHI2_001, chiSquare } from "./samplers/chiSquare.js";
import { softmaxRef } from "./samplers/stageHelpers.js";

/** Draws a token from q with a fixed, independent generator (the draft model's own sampling). */
function drawFrom(q: number[], u: number): number {
  let cum = 0;
  for (let i = 0; i < q.length; i++) {
    cum += q[i]!;
    if (u < cum) return i;
  }
  return q.length - 1;
}

const target0 = [0.5, 1.5, -0.5, 0.2, 1.0];
const target1 = [1.2, -0.3, 0.4, 0.9, -1.0];
const target2 = [0, 0, 0, 0, 0];
const p0 = softmaxRef(target0);
const p1 = softmaxRef(target1);

describe("speculativeAccept", () => {
  const drafts: { name: string; q: number[] }[] = [
    { name: "a draft equal to the target", q: p0 },
    { name: "a uniform draft", q: [0.2, 0.2, 0.2, 0.2, 0.2] },
    { name: "an adversarial draft (mass where the target has little)", q: [0.05, 0.01, 0.84, 0.05, 0.05] },
    { name: "a draft that never proposes token 1", q: [0.3, 0, 0.3, 0.2, 0.2] },
  ];

  it.each(drafts)(
    "emits tokens distributed as the target with $name (χ² at fixed seeds, positions 0 and 1)",
    ({ q }) => {
      const n = 30_000;
      const first = new Array(5).fill(0);
      const second = new Array(5).fill(0);
      let acceptedFirst = 0;
      const draftProbs = new Float32Array([...q, ...q]);
      const targetLogits = new Float32Array([...target0, ...target1, ...target2]);
      for (let s = 0; s < n; s++) {
        // the draft proposes two tokens from q with its own randomness (a different seed)
        const draftTokens = [drawFrom(q, uniform(99, s, 0)), drawFrom(q, uniform(99, s, 1))];
        const r = speculativeAccept({
          draftTokens,
          draftProbs,
          targetLogits,
          vocab: 5,
          seed: 7,
          stream: s,
          step: 0,
        });
        expect(r.tokens).toHaveLength(r.accepted + 1);
        first[r.tokens[0]!]++;
        if (r.accepted >= 1) {
          acceptedFirst++;
          second[r.tokens[1]!]++;
        }
      }
      const a = chiSquare(first, p0);
      expect(a.stat).toBeLessThan(CHI2_001[a.df]!);
      // given the first draft token was accepted, the next emitted token follows the target's row 1
      const b = chiSquare(second, p1);
      expect(b.stat).toBeLessThan(CHI2_001[b.df]!);
      expect(acceptedFirst).toBeGreaterThan(0);
    },
  );

  it("accepts with probability min(1, p/q) using auxUniform(seed, stream, step + j) (worked values)", () => {
    // V = 2, p_0 = [0.5, 0.5] (logits 0, 0), q_0 = [0.2, 0.8]: proposing token 1 is accepted iff a · 0.8 < 0.5
    for (let stream = 0; stream < 100; stream++) {
      const r = speculativeAccept({
        draftTokens: [1],
        draftProbs: Float32Array.of(0.2, 0.8),
        targetLogits: Float32Array.of(0, 0, 0, 0),
        vocab: 2,
        seed: 3,
        stream,
        step: 10,
      });
      const accept = auxUniform(3, stream, 10) * 0.8 < 0.5;
      expect(r.accepted).toBe(accept ? 1 : 0);
      // rejected: the residual max(0, p − q) = [0.3, 0] puts all mass on token 0
      if (!accept) expect(r.tokens).toEqual([0]);
      // accepted: the bonus token is drawn from p_1 = [0.5, 0.5] with uniform(seed, stream, step + 1)
      else expect(r.tokens).toEqual([1, uniform(3, stream, 11) < 0.5 ? 0 : 1]);
    }
  });

  it("is greedy on the target at temperature 0: accepts exactly the target's argmax", () => {
    const targetLogits = Float32Array.of(0, 2, 1, 3, 0, 0);
    const q = Float32Array.of(0.3, 0.3, 0.4, 0.1, 0.1, 0.8);
    expect(
      speculativeAccept({
        draftTokens: [1, 0],
        draftProbs: q,
        targetLogits: Float32Array.of(0, 2, 1, 3, 0, 0, 5, 0, 0),
        vocab: 3,
        temperature: 0,
      }).tokens,
    ).toEqual([1, 0, 0]);
    expect(
      speculativeAccept({
        draftTokens: [2],
        draftProbs: q.subarray(0, 3),
        targetLogits,
        vocab: 3,
        temperature: 0,
      }).tokens,
    ).toEqual([1]);
  });

  it("rejects malformed inputs with typed errors", () => {
    const base = {
      draftTokens: [0],
      draftProbs: Float32Array.of(0.5, 0.5),
      targetLogits: new Float32Array(4),
      vocab: 2,
    };
    expect(() => speculativeAccept({ ...base, draftTokens: [2] })).toThrow(InvalidParamsError);
    expect(() => speculativeAccept({ ...base, targetLogits: new Float32Array(2) })).toThrow(
      /k \+ 1 = 2 rows/,
    );
    expect(() => speculativeAccept({ ...base, draftProbs: Float32Array.of(-1, 2) })).toThrow(
      /not a probability/,
    );
  });
});
