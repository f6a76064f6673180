import { describe, expect, it } from "vitest";
import {
  createSampler,
  keepsEveryCandidate,
  minP,
  type SamplerStage,
  temperature,
  topK,
  topP,
  typicalP,
} from "../src/index.js";

describe("keepsEveryCandidate", () => {
  it.each([
    { stage: topK(0), keeps: true },
    { stage: topK(40), keeps: false },
    { stage: topP(1), keeps: true },
    { stage: topP(0.9), keeps: false },
    { stage: minP(0), keeps: true },
    { stage: minP(0.05), keeps: false },
    { stage: typicalP(1), keeps: true },
    { stage: typicalP(0.9), keeps: false },
    { stage: temperature(0.7), keeps: true },
  ])("$stage.name: $keeps", ({ stage, keeps }) => {
    expect(keepsEveryCandidate(stage)).toBe(keeps);
  });

  it("is false for a stage written elsewhere (it may remove anything)", () => {
    const custom: SamplerStage = { name: "mine", apply() {}, clone: () => custom };
    expect(keepsEveryCandidate(custom)).toBe(false);
  });

  it("reads a built sampler's stages: only the active filters and the terminal can remove", () => {
    const s = createSampler({ topK: 40, minP: 0.05 });
    const removing = s.stages.filter((st) => !keepsEveryCandidate(st)).map((st) => st.name);
    expect(removing).toEqual(["top_k", "min_p", "dist"]);
  });
});
