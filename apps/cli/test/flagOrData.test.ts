import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { rawF32, safetensors } from "./helpers/fixtures.js";
import { tempDir, writeFixture } from "./helpers/rows.js";

// Whether a problem is the flags' (exit 2) or the data's (exit 65) — issue cases written out.
const dir = tempDir();
const rows = [
  [1, 2, 3],
  [0, -1, 4],
];

describe("a flag that does not fit the input", () => {
  it("--tensor naming no tensor of the file is a bad flag: exit 2, naming the tensors there", async () => {
    const path = writeFixture(dir, "one.safetensors", safetensors({ logits: rows }));
    const r = await runCli(["softmax", path, "--tensor", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no tensor "nope"; it has "logits"/);
    expect(r.stdout.length).toBe(0);
  });

  it("a file of several tensors without --tensor is a bad flag too: exit 2, asking for --tensor", async () => {
    const path = writeFixture(dir, "two.safetensors", safetensors({ a: rows, b: rows }));
    const r = await runCli(["softmax", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds 2 tensors; choose one with --tensor NAME/);
  });
});

describe("--vocab V alone on binary stdin", () => {
  it("reads raw float32 rows, as --format f32 --vocab V does", async () => {
    const bytes = rawF32(rows);
    const implied = await runCli(["softmax", "--vocab", "3"], { stdin: bytes });
    const explicit = await runCli(["softmax", "--format", "f32", "--vocab", "3"], { stdin: bytes });
    expect(implied.stderr).toBe("");
    expect(implied.code).toBe(0);
    expect(implied.stdout.toString()).toBe(explicit.stdout.toString());
    expect(implied.stdout.toString().trim().split("\n")).toHaveLength(2);
  });

  it("still reads NDJSON text as NDJSON when --vocab is given", async () => {
    const r = await runCli(["softmax", "--vocab", "3"], { stdin: "[1, 2, 3]\n" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).probs).toHaveLength(3);
  });
});
