import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects } from "./helpers/fixtures.js";
import { refLogSoftmax, refOrder, refSoftmax } from "./helpers/reference.js";
import { A, ndjson } from "./helpers/rows.js";

describe("logitstream softmax", () => {
  it("writes each row's probabilities", async () => {
    const r = await runCli(["softmax"], { stdin: ndjsonArrays(A) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Probabilities are float32 (the row's type); every value here is exact in float32.
    expect(r.stdout.toString()).toBe(
      ndjson(A.map((row, i) => ({ row: i, probs: refSoftmax(row).map(Math.fround) }))),
    );
  });

  it("writes log-probabilities with --log", async () => {
    const rows = [A[1]!, A[3]!]; // log-probabilities 0, −200, −205: exact in float32
    const r = await runCli(["softmax", "--log"], { stdin: ndjsonArrays(rows) });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(
      ndjson(rows.map((row, i) => ({ row: i, logprobs: refLogSoftmax(row) }))),
    );
  });

  it("writes the N most likely tokens as {token, prob}, ties to the lower id, with --top N", async () => {
    const r = await runCli(["softmax", "--top", "2"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trim().split("\n");
    A.forEach((row, i) => {
      const p = refSoftmax(row);
      const rec = JSON.parse(lines[i]!) as { row: number; top: { token: number; prob: number }[] };
      expect(rec.row).toBe(i);
      expect(rec.top.map((e) => e.token)).toEqual(refOrder(row).slice(0, 2));
      rec.top.forEach((e) => {
        expect(e.prob).toBeCloseTo(p[e.token]!, 12);
      });
    });
  });

  it("divides the logits by --temperature", async () => {
    const row = [0, Math.log(2) * 2];
    const r = await runCli(["softmax", "--temperature", "2"], { stdin: ndjsonObjects([{ logits: row }]) });
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout.toString()) as { probs: number[] };
    const expected = refSoftmax(row.map((x) => Math.fround(x) / 2));
    rec.probs.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i]!, 6);
    });
  });

  it("exits 2 naming --temperature when it is negative", async () => {
    const r = await runCli(["softmax", "--temperature=-1"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--temperature");
  });
});
