import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import {
  msgpackFrames,
  msgpackRows,
  ndjsonArrays,
  ndjsonObjects,
  npy,
  rawBf16,
  rawF16,
  rawF32,
  safetensors,
  unpackAll,
} from "./helpers/fixtures.js";
import { refArgmax, refLogSoftmax } from "./helpers/reference.js";
import { A, ndjson, tempDir, writeFixture } from "./helpers/rows.js";

/** Greedy sample records of A from the float64 reference. */
const EXPECTED = ndjson(
  A.map((row, i) => {
    const t = refArgmax(row);
    return { row: i, token: t, logprob: refLogSoftmax(row)[t] };
  }),
);

const V = A[0]!.length;
const dir = tempDir();

/** [name, CLI args, stdin bytes] — every input format, given by flag, detected, or as a path. */
const CASES: [string, string[], Uint8Array | string | undefined][] = [
  ["NDJSON arrays (detected)", [], ndjsonArrays(A)],
  [
    "NDJSON objects with --format ndjson",
    ["--format", "ndjson"],
    ndjsonObjects(A.map((logits) => ({ logits }))),
  ],
  ["msgpack, one bin f32 frame per row (detected)", [], msgpackRows(A)],
  ["msgpack, number arrays", ["--format", "msgpack"], msgpackFrames(A.map((r) => ({ logits: r })))],
  [
    "msgpack, one batch frame with vocab and rows",
    [],
    msgpackFrames([{ logits: rawF32(A), vocab: V, rows: A.length }]),
  ],
  ["msgpack, f16 bin with dtype", [], msgpackFrames(A.map((r) => ({ logits: rawF16([r]), dtype: "f16" })))],
  ["raw f32 with --vocab", ["--format", "f32", "--vocab", String(V)], rawF32(A)],
  ["raw f16 with --vocab", ["--format", "f16", "--vocab", String(V)], rawF16(A)],
  ["raw bf16 with --vocab", ["--format", "bf16", "--vocab", String(V)], rawBf16(A)],
  [".npy <f4 (detected)", [], npy(A, "<f4")],
  [".npy <f2 with --format npy", ["--format", "npy"], npy(A, "<f2")],
  [".npy <f8", [], npy(A, "<f8")],
  [
    "safetensors with --tensor",
    ["--format", "safetensors", "--tensor", "logits"],
    safetensors({ other: [[1]], logits: A }),
  ],
  ["safetensors with its only tensor (detected)", [], safetensors({ logits: A })],
  ["a .npy path argument", [writeFixture(dir, "a.npy", npy(A))], undefined],
  [
    "a raw f32 path argument",
    [writeFixture(dir, "a.bin", rawF32(A)), "--format", "f32", "--vocab", "4"],
    undefined,
  ],
  ["a - path argument for stdin", ["-"], ndjsonArrays(A)],
];

describe("input formats", () => {
  it.each(CASES)("reads %s and writes the same records", async (_name, args, stdin) => {
    const r = await runCli(["sample", "--temperature", "0", ...args], stdin === undefined ? {} : { stdin });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(EXPECTED);
  });

  it("reads -Infinity (a banned token) from binary input: probability 0, never sampled", async () => {
    const rows = [[Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]];
    const r = await runCli(["sample", "--format", "f32", "--vocab", "4", "--seed", "1"], {
      stdin: rawF32(rows),
    });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(ndjson([{ row: 0, token: 1, logprob: 0 }]));
  });

  it("writes msgpack records with --output msgpack", async () => {
    const r = await runCli(["sample", "--temperature", "0", "--output", "msgpack"], {
      stdin: ndjsonArrays(A),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const records = unpackAll(new Uint8Array(r.stdout));
    expect(records).toEqual(
      EXPECTED.trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    );
  });

  it("writes score's summary as the last msgpack record with --output msgpack", async () => {
    const frames = A.map((logits) => ({ logits, target: 0 }));
    const r = await runCli(["score", "--output", "msgpack"], { stdin: ndjsonObjects(frames) });
    expect(r.code).toBe(0);
    const records = unpackAll(new Uint8Array(r.stdout)) as Record<string, unknown>[];
    expect(records).toHaveLength(A.length + 1);
    expect(Object.keys(records.at(-1)!)).toEqual(["summary"]);
    expect((records.at(-1)!.summary as { rows: number }).rows).toBe(A.length);
  });

  it.each([
    ["score", []],
    ["softmax --log", ["--log"]],
    ["sample --top-k 3 --logprobs 2", ["--top-k", "3", "--logprobs", "2", "--seed", "3"]],
  ])("gives byte-identical %s output for the same rows in every format", async (name, flags) => {
    const inputs: [string[], Uint8Array | string][] = [
      [[], ndjsonArrays(A)],
      [[], msgpackRows(A)],
      [[], npy(A)],
      [["--format", "f32", "--vocab", "4"], rawF32(A)],
      [[], safetensors({ logits: A })],
    ];
    const cmd = name.split(" ")[0]!;
    const outs = await Promise.all(
      inputs.map(([args, stdin]) => runCli([cmd, ...flags, ...args], { stdin })),
    );
    for (const o of outs) {
      expect(o.stderr).toBe("");
      expect(o.code).toBe(0);
      expect(o.stdout.equals(outs[0]!.stdout)).toBe(true);
    }
  });
});
