import { statSync } from "node:fs";
import { DEFAULT_INLINE_THRESHOLD } from "@logitstream/pool";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects, npy } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";
import { FAULT_PRELOAD, runCli as runReported, sized } from "./reliability/helpers.js";

const dir = tempDir();
// The first rows run inline and the rest in workers. `pnpm test:full`: past the pool's own inline
// budget (128 × 128,256 = 16.4 M elements run inline before the workers start), 18.4 M logits; the
// NDJSON files (~100 MB) pass it too, since the pool counts NDJSON work as bytes / 4. `pnpm test`: the
// same split on 832 rows of 256, with the budget lowered by --inline-elements to 320 rows: the .npy's
// first 5 chunks (wire cuts 64 rows a chunk) inline and the other 8 — more than the 2 × threads chunks the
// pool keeps in flight, so both workers take several and their results must be put back in order — in
// the workers. The NDJSON files (320 rows, ~1.5 MB: ~310 KB a chunk, ~77,000 elements by the pool's count,
// within the budget) have their first chunk inline and 4 in the workers.
const V = sized(2_048, 256);
const rows = randomRows(sized(9_000, 832), V, 42);
const NDJSON_ROWS = sized(2_500, 320);
const BUDGET = sized(DEFAULT_INLINE_THRESHOLD, 320 * V);
/** Rows of the input given alone on stdin (at the reduced size a prefix that reaches past the budget too). */
const PREFIX_ROWS = sized(1_000, 512);
const INLINE: readonly string[] = sized([], ["--inline-elements", String(BUDGET)]);
const npyPath = writeFixture(dir, "big.npy", npy(rows));
const ndjsonPath = writeFixture(dir, "big.ndjson", ndjsonArrays(rows.slice(0, NDJSON_ROWS)));
const targetsFile = writeFixture(dir, "targets.txt", rows.map((_, i) => (i * 53) % V).join("\n"));
const withTargets = writeFixture(
  dir,
  "targets.ndjson",
  ndjsonObjects(rows.slice(0, NDJSON_ROWS).map((logits, i) => ({ logits, target: (i * 37) % V }))),
);

/** A fault at the first and at the last row: a counter of -1 says that row ran in a worker, 1 that it did not. */
const FIRST_AND_LAST = JSON.stringify([
  { row: 0, kind: "throw", times: 1 },
  { row: rows.length - 1, kind: "throw", times: 1 },
]);

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
    const [one, two] = await Promise.all([
      runCli([...args, ...INLINE, "--threads", "1"]),
      runCli([...args, ...INLINE, "--threads", "2"]),
    ]);
    expect(one.stderr).toBe("");
    expect(two.stderr).toBe("");
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stdout.length).toBeGreaterThan(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
  });

  it("writes one record per row, in input order, for a large input", async () => {
    const r = await runCli(["sample", npyPath, "--seed", "1", "--threads", "2", ...INLINE]);
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
    const [all, prefix] = await Promise.all([
      runCli(["sample", npyPath, "--seed", "5", "--threads", "2", ...INLINE]),
      runCli(["sample", "--seed", "5", "--threads", "2", ...INLINE], {
        stdin: npy(rows.slice(0, PREFIX_ROWS)),
      }),
    ]);
    expect(all.code).toBe(0);
    expect(prefix.code).toBe(0);
    const allLines = all.stdout.toString().split("\n");
    expect(prefix.stdout.toString()).toBe(`${allLines.slice(0, PREFIX_ROWS).join("\n")}\n`);
  });

  it("has inputs past the inline budget: the .npy has rows on both sides of it, the NDJSON files too", () => {
    expect(rows.length * V).toBeGreaterThan(BUDGET + 64 * V * 4);
    for (const p of [ndjsonPath, withTargets]) expect(statSync(p).size / 4).toBeGreaterThan(BUDGET);
  });
});

describe("--inline-elements", () => {
  it("runs the rows before the budget inline and the rest in the workers; 0 sends every row to the workers", async () => {
    const args = ["sample", npyPath, "--seed", "7", "--threads", "2"];
    const env = { LOGITSTREAM_TEST_FAULTS: FIRST_AND_LAST };
    const [plain, split, none] = await Promise.all([
      runCli([...args, ...INLINE]),
      runReported([...args, ...INLINE], { preload: [FAULT_PRELOAD], env }),
      runReported([...args, "--inline-elements", "0"], { preload: [FAULT_PRELOAD], env }),
    ]);
    expect(split.code).toBe(0);
    expect(split.report?.faultCounters).toEqual([1, -1]); // row 0 inline; the last row in a worker, retried
    expect(none.code).toBe(0);
    expect(none.report?.faultCounters).toEqual([-1, -1]); // row 0 in a worker too
    expect(plain.code).toBe(0);
    expect(split.stdout.equals(plain.stdout)).toBe(true);
    expect(none.stdout.equals(plain.stdout)).toBe(true);
  });

  it("is in --help with the pool's default, and rejects a negative count (exit 2)", async () => {
    const [help, bad] = await Promise.all([
      runCli(["score", "--help"]),
      runCli(["score", npyPath, "--inline-elements=-1"]),
    ]);
    expect(help.stdout.toString()).toContain("--inline-elements N");
    expect(help.stdout.toString()).toContain(`default: ${DEFAULT_INLINE_THRESHOLD},`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--inline-elements");
    expect(bad.stdout.length).toBe(0);
  });
});
