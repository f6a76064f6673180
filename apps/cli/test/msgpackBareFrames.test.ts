import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { msgpackRows, msgpackValues, ndjsonArrays, rawF32 } from "./helpers/fixtures.js";

// msgpack frames may be bare, as NDJSON rows may be bare arrays: an array of numbers, or a bin of
// little-endian float32, is one row.
const rows = [
  [1, 2.5, -3],
  [0.25, 0, 4],
  [-1, -2, -3],
];

describe("bare msgpack frames", () => {
  it("read an array of numbers, or a bin, as one row: the same output as NDJSON arrays and logits maps", async () => {
    const fromNdjson = await runCli(["sample", "--seed", "3", "--logprobs", "2"], {
      stdin: ndjsonArrays(rows),
    });
    const arrays = await runCli(["sample", "--format", "msgpack", "--seed", "3", "--logprobs", "2"], {
      stdin: msgpackValues(rows),
    });
    const bins = await runCli(["sample", "--format", "msgpack", "--seed", "3", "--logprobs", "2"], {
      stdin: msgpackValues(rows.map((r) => rawF32([r]))),
    });
    // Mixed with ordinary frames: a map, then a bare array, then a bare bin.
    const mixed = await runCli(["sample", "--format", "msgpack", "--seed", "3", "--logprobs", "2"], {
      stdin: Buffer.concat([msgpackRows(rows.slice(0, 1)), msgpackValues([rows[1]!, rawF32([rows[2]!])])]),
    });
    expect(fromNdjson.code).toBe(0);
    for (const r of [arrays, bins, mixed]) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).toBe(fromNdjson.stdout.toString());
    }
  });

  it("rejects a bare frame of another type, naming the frame (exit 65)", async () => {
    const r = await runCli(["softmax", "--format", "msgpack"], {
      stdin: Buffer.concat([msgpackValues([rows[0]!]), msgpackValues(["not logits"])]),
    });
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/frame 1\b/);
    expect(r.stderr).toMatch(/map with a "logits" key, an array of numbers or a bin/);
    expect(r.stdout.toString().trim().split("\n")).toHaveLength(1);
  });
});
