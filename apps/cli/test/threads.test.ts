import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects, npy } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";

const dir = tempDir();
// Large enough for the pool: 18.4 M logits, past its inline budget (128 × 128,256 = 16.4 M elements run
// inline before the workers start), so the first rows run inline and the rest in workers; small enough
// to run in seconds. The NDJSON files (~100 MB) pass it too: the pool counts NDJSON work as bytes / 4.
const V = 2_048;
const rows = randomRows(9_000, V, 42);
const npyPath = writeFixture(dir, "big.npy", npy(rows));
const ndjsonPath = writeFixture(dir, "big.ndjson", ndjsonArrays(rows.slice(0, 2_500)));
const targetsFile = writeFixture(dir, "targets.txt", rows.map((_, i) => (i * 53) % V).join("\n"));
const withTargets = writeFixture(
  dir,
  "targets.ndjson",
  ndjsonObjects(rows.slice(0, 2_500).map((logits, i) => ({ logits, target: (i * 37) % V }))),
);

describe("--threads", () => {
  it.each([
    ["sample", ["sample", npyPath, "--seed", "7", "--top-p", "0.9", "--logprobs", "3"]],
    ["sample from NDJSON", ["sample", ndjsonPath, "--seed", "11", "--min-p", "0.05", "--top-k", "40"]],
    ["softmax --top --log", ["softmax", npyPath, "--top", "3", "--log"]],
    ["softmax --top", ["softmax", ndjsonPath, "--top", "5"]],
    ["score with targets and --top", ["score", withTargets, "--top", "4"]],
    ["score by entropy", ["score", npyPath]],
    ["score with --targets FILE and --top", ["score", npyPath, "--targets", targetsFile, "--top", "2"]],
  ])("gives byte-identical output for --threads 1 and --threads 2: %s", async (_name, args) => {
    const one = await runCli([...args, "--threads", "1"]);
    const two = await runCli([...args, "--threads", "2"]);
    expect(one.stderr).toBe("");
    expect(two.stderr).toBe("");
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stdout.length).toBeGreaterThan(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
  });

  it("writes one record per row, in input order, for a large input", async () => {
    const r = await runCli(["sample", npyPath, "--seed", "1", "--threads", "2"]);
    expect(r.code).toBe(0);
    const recs = r.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { row: number; token: number });
    expect(recs).toHaveLength(rows.length);
    recs.forEach((rec, i) => {
      expect(rec.row).toBe(i);
      expect(rec.token).toBeGreaterThanOrEqual(0);
      expect(rec.token).toBeLessThan(V);
    });
  });

  it("samples a row the same whether it comes alone, in a prefix of the input, or in the whole input", async () => {
    const all = await runCli(["sample", npyPath, "--seed", "5", "--threads", "2"]);
    const prefix = await runCli(["sample", "--seed", "5", "--threads", "2"], {
      stdin: npy(rows.slice(0, 1000)),
    });
    expect(all.code).toBe(0);
    expect(prefix.code).toBe(0);
    const allLines = all.stdout.toString().split("\n");
    expect(prefix.stdout.toString()).toBe(`${allLines.slice(0, 1000).join("\n")}\n`);
  });
});
