import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects, npy } from "./helpers/fixtures.js";
import { refEntropy, refLogSoftmax, refRank } from "./helpers/reference.js";
import { A, A_TARGETS, ndjson, tempDir, writeFixture } from "./helpers/rows.js";

const dir = tempDir();

/**
 * The contract's score records for `rows` scored against `targets` (-1 = none: an entropy record),
 * from the float64 reference; with the summary line unless `summary` is false.
 */
function expectedScore(rows: number[][], targets: readonly number[], summary = true): string {
  const records: object[] = [];
  let nll = 0;
  let scored = 0;
  rows.forEach((row, i) => {
    const t = targets[i]!;
    if (t < 0) {
      records.push({ row: i, entropy: refEntropy(row) });
      return;
    }
    const lp = refLogSoftmax(row)[t]!;
    nll += -lp;
    scored++;
    records.push({ row: i, target: t, logprob: lp, rank: refRank(row, t) });
  });
  if (summary) {
    const mean = nll / scored;
    records.push({ summary: { rows: scored, mean_nll: mean, perplexity: Math.exp(mean) } });
  }
  return ndjson(records);
}

/** `n` rows cycling through A, so every record is exact; their targets cycle through A_TARGETS. */
function cycled(n: number): { rows: number[][]; targets: number[] } {
  const rows = Array.from({ length: n }, (_, i) => A[i % A.length]!);
  return { rows, targets: rows.map((_, i) => A_TARGETS[i % A.length]!) };
}

describe("logitstream score --targets FILE", () => {
  it("scores rows without frame targets against the file's targets, byte for byte, with the summary", async () => {
    const targets = writeFixture(dir, "a.txt", `${A_TARGETS.join("\n")}\n`);
    const fromNdjson = await runCli(["score", "--targets", targets], { stdin: ndjsonArrays(A) });
    expect(fromNdjson.stderr).toBe("");
    expect(fromNdjson.code).toBe(0);
    expect(fromNdjson.stdout.toString()).toBe(expectedScore(A, A_TARGETS));
    const npyPath = writeFixture(dir, "a.npy", npy(A));
    const fromNpy = await runCli(["score", npyPath, "--targets", targets]);
    expect(fromNpy.code).toBe(0);
    expect(fromNpy.stdout.toString()).toBe(expectedScore(A, A_TARGETS));
  });

  it("reads targets separated by any whitespace, and -1 as no target (an entropy record)", async () => {
    const targets = writeFixture(dir, "spaces.txt", "  -1\t1\r\n\n1    3");
    const r = await runCli(["score", "--targets", targets], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(expectedScore(A, [-1, 1, 1, 3]));
  });

  it("replaces the frames' targets with the file's, -1 included", async () => {
    const frames = A.map((logits, i) => ({ logits, target: A_TARGETS[i]! }));
    const targets = writeFixture(dir, "override.txt", "0 0 -1 3\n");
    const r = await runCli(["score", "--targets", targets], { stdin: ndjsonObjects(frames) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(expectedScore(A, [0, 0, -1, 3]));
  });

  it("exits 65 naming the first row without a target when the file has fewer targets than rows, after the rows before it", async () => {
    // 100 rows are two chunks of the framer (64 + 36): the file ends inside the second.
    const { rows, targets } = cycled(100);
    const file = writeFixture(dir, "short.txt", targets.slice(0, 70).join(" "));
    const r = await runCli(["score", "--targets", file], { stdin: ndjsonArrays(rows) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(rows.slice(0, 70), targets.slice(0, 70), false));
    expect(r.stderr).toMatch(/^logitstream score: row 70: --targets file has no target for it/);
    expect(r.stderr).toContain("ends after 70 targets");
  });

  it("exits 65 on a short targets file with --on-error skip too", async () => {
    const file = writeFixture(dir, "short-skip.txt", "2 1");
    const r = await runCli(["score", "--targets", file, "--on-error", "skip"], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(A.slice(0, 2), A_TARGETS.slice(0, 2), false));
    expect(r.stderr).toMatch(/row 2: --targets file has no target for it/);
    expect(r.stderr).not.toMatch(/skipped/);
  });

  it("exits 65 naming the first target without a row when the file has more targets than rows, after every row and without the summary", async () => {
    const file = writeFixture(dir, "long.txt", `${A_TARGETS.join(" ")} 0 1\n`);
    const r = await runCli(["score", "--targets", file], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(A, A_TARGETS, false));
    expect(r.stderr).toMatch(/^logitstream score: --targets file has more targets than the input has rows/);
    expect(r.stderr).toContain("target 4 has no row");
  });

  it("exits 65 naming the token and its byte offset for a token that is not an integer, after the rows before it", async () => {
    // "2 1 " is 4 bytes: the bad token starts at byte offset 4 and belongs to row 2.
    const file = writeFixture(dir, "bad.txt", "2 1 1.5 3\n");
    const r = await runCli(["score", "--targets", file], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(A.slice(0, 2), A_TARGETS.slice(0, 2), false));
    expect(r.stderr).toContain('"1.5" is not an integer');
    expect(r.stderr).toContain("byte offset 4");
  });

  it("exits 65 for a negative target other than -1, naming its byte offset", async () => {
    const file = writeFixture(dir, "negative.txt", "2 -3 1 3");
    const r = await runCli(["score", "--targets", file], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(A.slice(0, 1), A_TARGETS.slice(0, 1), false));
    expect(r.stderr).toContain("out of range");
    expect(r.stderr).toContain("byte offset 2");
  });

  it("exits 65 naming the row for a target outside the vocabulary", async () => {
    const file = writeFixture(dir, "vocab.txt", "2 1 4 3");
    const r = await runCli(["score", "--targets", file], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(expectedScore(A.slice(0, 2), A_TARGETS.slice(0, 2), false));
    expect(r.stderr).toMatch(/^logitstream score: row 2: target 4 is not a token id/);
  });

  it("exits 66 before reading the input when the targets file does not exist", async () => {
    const r = await runCli(["score", "--targets", `${dir}/missing.txt`], { stdin: ndjsonArrays(A) });
    expect(r.code).toBe(66);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/cannot open --targets file .*missing\.txt: no such file/);
  });

  it("documents --targets in --help without calling it unavailable", async () => {
    const r = await runCli(["score", "--help"]);
    expect(r.code).toBe(0);
    const help = r.stdout.toString();
    expect(help).toContain("--targets FILE");
    expect(help).toContain("replaces the frames' targets");
    expect(help).not.toMatch(/not available/);
  });
});
