import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  encodeRaw,
  encodeSafetensors,
  type ReadOptions,
  readRows,
  WireError,
} from "../src/index.js";
import { makeBatch } from "./helpers.js";

// Readers only ever yield valid rows (Float32Array of one consistent width, increasing row indices,
// targets inside the vocabulary) or throw a WireError — for random bytes and for mutated valid streams.

async function check(bytes: Uint8Array, opts: ReadOptions): Promise<void> {
  let vocab = -1;
  let last = -1;
  try {
    for await (const r of readRows([bytes.subarray(0, 7), bytes.subarray(7)], {
      maxFrameBytes: 1 << 20,
      ...opts,
    })) {
      if (!(r.logits instanceof Float32Array) || r.logits.length < 1) throw new Error("row without logits");
      if (vocab < 0) vocab = r.logits.length;
      if (r.logits.length !== vocab) throw new Error("row width changed");
      if (!(r.row > last)) throw new Error("row index did not increase");
      last = r.row;
      if (r.target !== undefined && !(Number.isInteger(r.target) && r.target >= 0 && r.target < vocab))
        throw new Error("bad target");
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
}

const batch = {
  ...makeBatch(6, 4, 5),
  targets: Int32Array.from([0, 1, -1, 3, 2, 0]),
  ids: ["a", 1, null, { k: [1] }, "e", 2],
};
const valid: [string, Uint8Array, ReadOptions][] = [
  ["ndjson", encodeNdjson(batch), {}],
  ["ndjson arrays", encodeNdjson({ rows: 6, vocab: 4, data: batch.data }), {}],
  ["msgpack", encodeMsgpack(batch), {}],
  ["msgpack batch", encodeMsgpack(batch, { rowsPerFrame: 4, dtype: "f16" }), {}],
  ["msgpack arrays", encodeMsgpack(batch, { rowsPerFrame: 2, dtype: "array" }), {}],
  ["f16", encodeRaw(batch, "f16"), { format: "f16", vocab: 4 }],
  ["npy", encodeNpy(batch), {}],
  ["safetensors", encodeSafetensors({ logits: { batch, dtype: "bf16" } }), {}],
];
const modes: ReadOptions[] = [{}, { onError: "skip" }];

const mutation = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("set"), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("cut"), at: fc.nat(), value: fc.constant(0) }),
    fc.record({ kind: fc.constant("insert"), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  ),
  { minLength: 1, maxLength: 4 },
);

function mutate(b: Uint8Array, ms: { kind: string; at: number; value: number }[]): Uint8Array {
  let out = b.slice();
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "set" && out.length > 0) out[at] = m.value;
    else if (m.kind === "cut") out = out.slice(0, at);
    else if (m.kind === "insert") {
      const n = new Uint8Array(out.length + 1);
      n.set(out.subarray(0, at));
      n[at] = m.value;
      n.set(out.subarray(at), at + 1);
      out = n;
    }
  }
  return out;
}

describe("fuzz", () => {
  it("random bytes give valid rows or a WireError, for every format (fixed seed)", async () => {
    const formats: ReadOptions[] = [
      {},
      { format: "ndjson" },
      { format: "msgpack" },
      { format: "f16", vocab: 3 },
      { format: "npy" },
      { format: "safetensors" },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...formats),
        fc.constantFrom(...modes),
        async (bytes, f, m) => {
          await check(bytes, { ...f, ...m });
        },
      ),
      { seed: 20261126, numRuns: 1500 },
    );
  });

  it("mutated valid streams give valid rows or a WireError (fixed seed)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...valid),
        mutation,
        fc.constantFrom(...modes),
        async ([, bytes, opts], ms, m) => {
          await check(mutate(bytes, ms), { ...opts, ...m });
        },
      ),
      { seed: 11, numRuns: 3000 },
    );
  });

  it("unmutated streams read back every row", async () => {
    for (const [name, bytes, opts] of valid) {
      let n = 0;
      for await (const _ of readRows(bytes, opts)) n++;
      expect(n, name).toBe(6);
    }
  });
});
