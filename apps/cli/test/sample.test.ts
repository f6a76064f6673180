import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects } from "./helpers/fixtures.js";
import { refArgmax, refLogSoftmax, refOrder } from "./helpers/reference.js";
import { A, ndjson } from "./helpers/rows.js";

describe("logitstream sample", () => {
  it("writes the greedy token and its raw logprob for each row at temperature 0, ties to the lower id", async () => {
    const r = await runCli(["sample", "--temperature", "0"], { stdin: ndjsonArrays(A) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const expected = A.map((row, i) => {
      const t = refArgmax(row);
      return { row: i, token: t, logprob: refLogSoftmax(row)[t] };
    });
    expect(r.stdout.toString()).toBe(ndjson(expected));
  });

  it("adds top_logprobs with --logprobs N, most likely first", async () => {
    const r = await runCli(["sample", "--temperature", "0", "--logprobs", "2"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(0);
    const expected = A.map((row, i) => {
      const lp = refLogSoftmax(row);
      const order = refOrder(row);
      return {
        row: i,
        token: order[0],
        logprob: lp[order[0]!],
        top_logprobs: order.slice(0, 2).map((t) => ({ token: t, logprob: lp[t] })),
      };
    });
    expect(r.stdout.toString()).toBe(ndjson(expected));
  });

  it("carries the frame's id into the record", async () => {
    const frames = [
      { logits: [-200, 0, -200, -200], id: "a" },
      { logits: [0, -200, -200, -200], id: 7 },
    ];
    const r = await runCli(["sample", "--seed", "3"], { stdin: ndjsonObjects(frames) });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(
      ndjson([
        { row: 0, token: 1, logprob: 0, id: "a" },
        { row: 1, token: 0, logprob: 0, id: 7 },
      ]),
    );
  });

  it("gives the same tokens for the same --seed and different tokens for another seed", async () => {
    const rows = Array.from({ length: 64 }, () => [0, 0, 0, 0, 0, 0, 0, 0]);
    const a = await runCli(["sample", "--seed", "7"], { stdin: ndjsonArrays(rows) });
    const b = await runCli(["sample", "--seed", "7"], { stdin: ndjsonArrays(rows) });
    const c = await runCli(["sample", "--seed", "8"], { stdin: ndjsonArrays(rows) });
    expect(a.code).toBe(0);
    expect(a.stdout.equals(b.stdout)).toBe(true);
    expect(a.stdout.equals(c.stdout)).toBe(false);
    const tokens = a.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).token as number);
    // 64 uniform draws over 8 tokens: more than one distinct token is certain at any seed but a broken RNG.
    expect(new Set(tokens).size).toBeGreaterThan(1);
  });

  it("applies the samplers in the order --samplers gives", async () => {
    // top_k 1 first keeps token 1 whatever the temperature; dist then has one candidate.
    const r = await runCli(
      ["sample", "--samplers", "top_k,temperature,dist", "--top-k", "1", "--temperature", "5"],
      {
        stdin: ndjsonArrays([[0, 3, 1, 2]]),
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).token).toBe(1);
  });

  it("exits 2 naming --top-p when it is out of range", async () => {
    const r = await runCli(["sample", "--top-p", "1.5"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain("--top-p");
  });

  it("exits 2 naming --samplers for an unknown stage", async () => {
    const r = await runCli(["sample", "--samplers", "top_k,nucleus,dist"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--samplers");
  });
});
