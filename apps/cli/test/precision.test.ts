import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { refLogSoftmax } from "./helpers/reference.js";

// The documented precision rule (softmax --help): softmax's full rows are float32 values, printed
// exactly; sample's and score's logprobs are float64.
const row = [1, 2, 0.5, -3.25, 7];

describe("the precision each output has", () => {
  it("prints softmax --log rows as exact float32 values, and score's logprob as float64", async () => {
    const soft = await runCli(["softmax", "--log"], { stdin: `${JSON.stringify(row)}\n` });
    const logprobs = (JSON.parse(soft.stdout.toString()) as { logprobs: number[] }).logprobs;
    const ref = refLogSoftmax(row);
    logprobs.forEach((v, i) => {
      expect(Math.fround(v)).toBe(v); // a float32 value, printed exactly
      expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref[i]!)));
    });
    const score = await runCli(["score"], { stdin: `${JSON.stringify({ logits: row, target: 1 })}\n` });
    const lp = (JSON.parse(score.stdout.toString().split("\n")[0]!) as { logprob: number }).logprob;
    expect(Math.abs(lp - ref[1]!)).toBeLessThan(1e-6);
    expect(Math.fround(lp)).not.toBe(lp); // a float64, not rounded to float32
  });

  it("says so in softmax --help", async () => {
    const help = (await runCli(["softmax", "--help"])).stdout.toString();
    expect(help).toMatch(/"probs" and "logprobs" are float32 results/);
    expect(help).toMatch(/every logprob that sample and score print, are float64/);
  });
});
