import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

// One 3-token row, target 0. log_softmax_i = u_i − log(e + e² + e³), written out in float64.
const ROW = '{"logits":[1,2,3],"target":0}\n';
const LSE = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);

describe("top-N bounds through the CLI", () => {
  it.each([
    ["sample", ["sample", "--temperature", "0", "--logprobs", "10"], "top_logprobs"],
    ["score", ["score", "--top", "10"], "top_logprobs"],
    ["softmax", ["softmax", "--log", "--top", "10"], "top"],
  ])("%s asking for 10 on a 3-token row writes the 3 entries, no padding", async (_, args, key) => {
    const r = await runCli(args as string[], { stdin: ROW });
    expect(r.stderr.toString()).toBe("");
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout.toString().split("\n")[0]!);
    const top = rec[key as string] as { token: number; logprob: number }[];
    expect(top.map((t) => t.token)).toEqual([2, 1, 0]);
    top.forEach((t, k) => {
      expect(t.logprob).toBeCloseTo(3 - k - LSE, 6);
    });
  });

  it.each([
    [["sample", "--logprobs", "5000"], "--logprobs"],
    [["score", "--top", "4097"], "--top"],
    [["softmax", "--top", "1000000000"], "--top"],
  ])("%j is a bad flag (exit 2) naming the bound", async (args, flag) => {
    const r = await runCli(args, { stdin: ROW });
    expect(r.code).toBe(2);
    expect(r.stderr.toString()).toContain(`${flag}: expected an integer in`);
    expect(r.stderr.toString()).toContain("4096");
    expect(r.stdout.toString()).toBe("");
  });
});
