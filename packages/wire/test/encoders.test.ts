import { describe, expect, it } from "vitest";
import {
  encodeBatches,
  encodeNdjson,
  encodeSafetensorsHeader,
  readBatches,
  WireError,
} from "../src/index.js";
import { collect, makeBatch } from "./helpers.js";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("encoders", () => {
  it("writes NDJSON arrays, objects when fields exist, and -1e999 for -Infinity", () => {
    const data = new Float32Array([1, Number.NEGATIVE_INFINITY, 0.5, 2]);
    expect(text(encodeNdjson({ rows: 2, vocab: 2, data }))).toBe("[1,-1e999]\n[0.5,2]\n");
    expect(text(encodeNdjson({ rows: 2, vocab: 2, data, targets: [1, -1], ids: ["a", undefined] }))).toBe(
      '{"logits":[1,-1e999],"id":"a","target":1}\n{"logits":[0.5,2]}\n',
    );
    expect(() => encodeNdjson({ rows: 1, vocab: 1, data: [Number.NaN] })).toThrow(WireError);
  });

  it("writes the safetensors header padded to 8 bytes with a little-endian length", () => {
    const h = encodeSafetensorsHeader({ x: { dtype: "f16", shape: [2, 2] } });
    const json = '{"x":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}';
    const padded = json + " ".repeat((8 - (json.length % 8)) % 8);
    expect(Array.from(h.subarray(0, 8))).toEqual([padded.length, 0, 0, 0, 0, 0, 0, 0]);
    expect(text(h.subarray(8))).toBe(padded);
  });

  it("converts between every format in a stream, keeping every float32 bit", async () => {
    const b = makeBatch(11, 6, 3);
    const targets: [string, object, object][] = [
      ["ndjson", {}, {}],
      ["msgpack", { rowsPerFrame: 4 }, {}],
      ["f32", {}, { format: "f32", vocab: 6 }],
      ["npy", { rows: 11 }, {}],
      ["safetensors", { rows: 11, tensor: "t" }, {}],
    ];
    for (const [format, encOpts, readOpts] of targets) {
      const parts: Uint8Array[] = [];
      for await (const p of encodeBatches(
        readBatches(encodeNdjson(b), { maxBatchRows: 4 }),
        format as "npy",
        encOpts,
      ))
        parts.push(p);
      const { rows, error } = await collect(parts, readOpts);
      expect(error, format).toBeUndefined();
      expect(
        rows.flatMap((r) => Array.from(r.logits)),
        format,
      ).toEqual(Array.from(b.data));
    }
  });

  it("refuses to finish an npy stream whose row count differs from its header", async () => {
    const run = async () => {
      for await (const _ of encodeBatches([makeBatch(2, 2)], "npy", { rows: 3 }));
    };
    await expect(run()).rejects.toMatchObject({ code: "E_WIRE_FORMAT" });
  });
});
