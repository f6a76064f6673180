import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonObjects } from "./helpers/fixtures.js";
import { refEntropy, refLogSoftmax, refOrder, refRank } from "./helpers/reference.js";
import { A, A_TARGETS, ndjson, UNIFORM } from "./helpers/rows.js";

/** The contract's score records for `rows` and `targets`, and the summary line, from the float64 reference. */
function expectedScore(rows: number[][], targets: number[]): string {
  const records: object[] = [];
  let nll = 0;
  rows.forEach((row, i) => {
    const t = targets[i]!;
    const lp = refLogSoftmax(row)[t]!;
    nll += -lp;
    records.push({ row: i, target: t, logprob: lp, rank: refRank(row, t) });
  });
  const mean = nll / rows.length;
  records.push({ summary: { rows: rows.length, mean_nll: mean, perplexity: Math.exp(mean) } });
  return ndjson(records);
}

describe("logitstream score", () => {
  it("scores each row's target from the frames and ends with the summary line", async () => {
    const frames = A.map((logits, i) => ({ logits, target: A_TARGETS[i]! }));
    const r = await runCli(["score"], { stdin: ndjsonObjects(frames) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(expectedScore(A, A_TARGETS));
  });

  it("scores a row without a target by its entropy and leaves it out of the summary", async () => {
    const frames = [
      { logits: UNIFORM[0]! },
      { logits: [0, -200, 0, -200], target: 2 },
      { logits: UNIFORM[1]! },
    ];
    const r = await runCli(["score"], { stdin: ndjsonObjects(frames) });
    expect(r.code).toBe(0);
    const lp = refLogSoftmax([0, -200, 0, -200])[2]!;
    expect(r.stdout.toString()).toBe(
      ndjson([
        { row: 0, entropy: refEntropy(UNIFORM[0]!) },
        { row: 1, target: 2, logprob: lp, rank: 1 },
        { row: 2, entropy: refEntropy(UNIFORM[1]!) },
        { summary: { rows: 1, mean_nll: -lp, perplexity: Math.exp(-lp) } },
      ]),
    );
  });

  it("adds each row's N most likely tokens with --top N", async () => {
    const frames = A.map((logits, i) => ({ logits, target: A_TARGETS[i]! }));
    const r = await runCli(["score", "--top", "2"], { stdin: ndjsonObjects(frames) });
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trim().split("\n");
    expect(lines).toHaveLength(A.length + 1);
    A.forEach((row, i) => {
      const lp = refLogSoftmax(row);
      const t = A_TARGETS[i]!;
      const expected = {
        row: i,
        target: t,
        logprob: lp[t],
        rank: refRank(row, t),
        top_logprobs: refOrder(row)
          .slice(0, 2)
          .map((k) => ({ token: k, logprob: lp[k] })),
      };
      expect(lines[i]).toBe(JSON.stringify(expected));
    });
  });

  it("exits 65 naming the row when a target is outside the vocabulary, after writing the rows before it", async () => {
    const frames = [
      { logits: [0, 0, 0, 0], target: 1 },
      { logits: [0, 0, 0, 0], target: 9 },
    ];
    const r = await runCli(["score"], { stdin: ndjsonObjects(frames) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(
      ndjson([{ row: 0, target: 1, logprob: refLogSoftmax([0, 0, 0, 0])[1], rank: 1 }]),
    );
    expect(r.stderr).toMatch(/^logitstream score: .*row 1/);
  });
});
