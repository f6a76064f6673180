import { describe, expect, it } from "vitest";
import { greedy, topK } from "../../src/index.js";
import { NEG, run } from "./stageHelpers.js";

describe("greedy", () => {
  it.each([
    { row: [1, 4, 4, 2], want: 1 },
    { row: [NEG, NEG, -3, -4], want: 2 },
    { row: [7], want: 0 },
    { row: [0, 0, 0], want: 0 },
  ])("selects the highest logit, ties to the lower id: $row → $want", ({ row, want }) => {
    const r = run(row, greedy());
    expect(r.ids[r.c.selected]).toBe(want);
    const s = run(row, topK(2), greedy());
    expect(s.ids[s.c.selected]).toBe(want);
  });
});
