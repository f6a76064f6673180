import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, rawF32 } from "./helpers/fixtures.js";
import { refLogSoftmax } from "./helpers/reference.js";
import { ndjson } from "./helpers/rows.js";

const GOOD = [0, 0, 0, 0];
const lp0 = refLogSoftmax(GOOD)[0]!;
const rec = (row: number) => ({ row, token: 0, logprob: lp0 });

describe("bad data", () => {
  it("exits 65 naming the line of malformed NDJSON, after writing the rows before it", async () => {
    const input = `${ndjsonArrays([GOOD, GOOD])}[0, 0, oops, 0]\n${ndjsonArrays([GOOD])}`;
    const r = await runCli(["sample", "--temperature", "0", "--threads", "1"], { stdin: input });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(ndjson([rec(0), rec(1)]));
    expect(r.stderr).toMatch(/^logitstream sample: .*(line 3|frame 2)/);
    expect(r.stderr.split("\n")).toHaveLength(2); // one line, no stack trace
  });

  it("exits 65 naming the row and index of a NaN logit in binary input", async () => {
    const rows = [GOOD, GOOD, [0, Number.NaN, 0, 0], GOOD];
    const r = await runCli(["sample", "--temperature", "0", "--format", "f32", "--vocab", "4"], {
      stdin: rawF32(rows),
    });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(ndjson([rec(0), rec(1)]));
    expect(r.stderr).toMatch(/row 2, index 1: NaN logit/);
  });

  it("exits 65 naming the row whose logits are all -Infinity", async () => {
    const inf = Number.NEGATIVE_INFINITY;
    const rows = [GOOD, [inf, inf, inf, inf]];
    const r = await runCli(["score", "--format", "f32", "--vocab", "4"], { stdin: rawF32(rows) });
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/row 1: every logit is -Infinity/);
  });

  it("exits 65 naming the frame and byte offset when raw input ends inside a row", async () => {
    const bytes = rawF32([GOOD, GOOD]).subarray(0, 4 * 4 + 6);
    const r = await runCli(["sample", "--temperature", "0", "--format", "f32", "--vocab", "4"], {
      stdin: bytes,
    });
    expect(r.code).toBe(65);
    expect(r.stdout.toString()).toBe(ndjson([rec(0)]));
    expect(r.stderr).toMatch(/frame 1, byte offset 16/);
  });

  // Without --vocab, NDJSON rows may differ in length (raggedRows.test.ts); --vocab V makes every row have V.
  it("exits 65 when an NDJSON row has another length than --vocab", async () => {
    const r = await runCli(["softmax", "--vocab", "4"], { stdin: ndjsonArrays([GOOD, [0, 0, 0]]) });
    expect(r.code).toBe(65);
    expect(r.stdout.toString().split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/frame 1|line 2|row 1/);
  });

  it("skips bad rows with --on-error skip and reports the count on stderr", async () => {
    const rows = [GOOD, [0, Number.NaN, 0, 0], GOOD, [Number.NaN, 0, 0, 0], GOOD];
    const r = await runCli(
      ["sample", "--temperature", "0", "--format", "f32", "--vocab", "4", "--on-error", "skip"],
      {
        stdin: rawF32(rows),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(ndjson([rec(0), rec(2), rec(4)]));
    expect(r.stderr).toMatch(/^logitstream sample: skipped 2 bad rows \(first: row 1, index 1: NaN logit/);
  });

  it("skips a malformed NDJSON line with --on-error skip, keeping the row numbers of the input", async () => {
    const input = `${ndjsonArrays([GOOD])}not json\n${ndjsonArrays([GOOD])}`;
    const r = await runCli(["sample", "--temperature", "0", "--on-error", "skip"], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(ndjson([rec(0), rec(2)]));
    expect(r.stderr).toMatch(/skipped 1 bad row\b/);
  });

  it("exits 65 when the input format cannot be detected", async () => {
    const r = await runCli(["sample"], { stdin: "hello world\n" });
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/^logitstream sample: /);
  });

  it("writes nothing and exits 0 for empty input", async () => {
    const r = await runCli(["sample"], { stdin: "" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
  });
});
