// Issue 17 items 5 and 9: several inputs on one command line are one stream; our own −∞ spelling reads back.
import { describe, expect, it } from "vitest";
import { lines, runCli } from "./helpers/cli.js";
import { ndjsonArrays, npy } from "./helpers/fixtures.js";
import { randomRows, tempDir, writeFixture } from "./helpers/rows.js";

const dir = tempDir();

describe("several inputs on one command line", () => {
  const a = randomRows(5, 8, 1);
  const b = randomRows(7, 8, 2);
  const pathA = writeFixture(dir, "a.npy", npy(a));
  const pathB = writeFixture(dir, "b.ndjson", ndjsonArrays(b));
  const all = writeFixture(dir, "all.ndjson", ndjsonArrays([...a, ...b]));

  it.each([
    ["sample", ["--seed", "7", "--top-p", "0.9"]],
    ["score", ["--top", "2"]],
    ["softmax", ["--log"]],
  ])(
    "%s reads a.npy then b.ndjson as one stream: the same records as one file holding both",
    async (cmd, flags) => {
      const two = await runCli([cmd, pathA, pathB, ...flags]);
      const one = await runCli([cmd, all, ...flags]);
      expect(two.stderr).toBe("");
      expect(two.code).toBe(0);
      expect(lines(two).length).toBe(cmd === "score" ? 13 : 12);
      expect(two.stdout.toString()).toBe(one.stdout.toString());
    },
  );

  it("reads stdin in its place when one of the paths is -", async () => {
    const r = await runCli(["sample", pathA, "-", "--seed", "7"], { stdin: ndjsonArrays(b) });
    const one = await runCli(["sample", all, "--seed", "7"]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(one.stdout.toString());
  });

  it("exits 66 before writing anything when a later path does not exist", async () => {
    const r = await runCli(["sample", pathA, `${dir}/missing.npy`]);
    expect(r.code).toBe(66);
    expect(r.stdout.length).toBe(0);
  });
});

describe("−∞ as our records write it, read back (NDJSON)", () => {
  it('reads null, -Infinity and "-Infinity" as a banned token, in arrays and in objects', async () => {
    const input = [
      "[1,null,2]",
      "[1,-Infinity,2]",
      '[1,"-Infinity",2]',
      '{"logits":[1,null,2],"target":2}',
      '{"logits":[1,"-Infinity",2]}',
    ].join("\n");
    const r = await runCli(["softmax"], { stdin: `${input}\n` });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // softmax of [1, −∞, 2]: e/(e + e²) and e²/(e + e²), computed by hand.
    const p0 = 1 / (1 + Math.E);
    for (const l of lines(r)) {
      const rec = JSON.parse(l) as { probs: number[] };
      expect(rec.probs[1]).toBe(0);
      expect(Math.abs(rec.probs[0]! - p0)).toBeLessThan(1e-6);
      expect(Math.abs(rec.probs[2]! - (1 - p0))).toBeLessThan(1e-6);
    }
  });

  it("reads back softmax --log output, whose −∞ is written null", async () => {
    const first = await runCli(["softmax", "--log"], { stdin: "[0, -Infinity, 1]\n" });
    expect(first.stdout.toString()).toContain("null");
    const logprobs = (JSON.parse(lines(first)[0]!) as { logprobs: (number | null)[] }).logprobs;
    const again = await runCli(["softmax", "--log"], { stdin: `${JSON.stringify(logprobs)}\n` });
    expect(again.code).toBe(0);
    expect(again.stdout.toString()).toBe(first.stdout.toString());
  });
});
