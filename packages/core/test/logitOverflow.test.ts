import { describe, expect, it } from "vitest";
import { createSampler, LogitOverflowError, LogitstreamError } from "../src/index.js";

describe("logits that overflow float32 after a stage (issue: a misleading EmptyCandidatesError)", () => {
  it("repetition penalty 0.5 on a logit of 2e38 is a LogitOverflowError naming the row, token and stage", () => {
    const s = createSampler({ repetitionPenalty: 0.5 });
    s.accept(0);
    let err: unknown;
    try {
      s.sample(new Float32Array([2e38, 0]), { row: 3 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LogitOverflowError);
    expect(err).toBeInstanceOf(LogitstreamError);
    expect(err).toMatchObject({ code: "E_LOGIT_OVERFLOW", row: 3, token: 0, stage: "penalties" });
    expect(String((err as Error).message)).toMatch(/row 3.*token 0.*"penalties"/);
  });

  it("a logit bias of 2e38 on a logit of 2e38 is a LogitOverflowError (stage logit_bias)", () => {
    const s = createSampler({ logitBias: { "0": 2e38 } });
    expect(() => s.sample(new Float32Array([2e38, 0]))).toThrow(LogitOverflowError);
    expect(() => s.sample(new Float32Array([2e38, 0]))).toThrow(/"logit_bias"/);
  });

  it("values that stay within float32 are untouched by the check (1e38 / 0.5 = 2e38 is fine)", () => {
    const s = createSampler({ repetitionPenalty: 0.5, temperature: 0 });
    s.accept(0);
    expect(s.sample(new Float32Array([1e38, 0])).token).toBe(0);
    const b = createSampler({ logitBias: { "1": 3e38 }, temperature: 0 });
    expect(b.sample(new Float32Array([0, 3e37])).token).toBe(1);
  });
});
