import { Readable } from "node:stream";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  encodeMsgpack,
  encodeNpy,
  encodeNpyHeader,
  encodeSafetensors,
  readBatches,
  readRows,
  WireError,
} from "../src/index.js";
import { createBatchStream, createRowStream } from "../src/node.js";
import { collect, makeBatch, pieces, utf8 } from "./helpers.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const pack = (v: unknown): Uint8Array => Uint8Array.prototype.slice.call(packr.pack(v));
const cat = (...ps: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(ps.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of ps) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const le16 = (...hs: number[]): Uint8Array => new Uint8Array(hs.flatMap((h) => [h & 0xff, h >>> 8]));

describe("NDJSON reader", () => {
  it("reads arrays and objects with id, target and params, skipping blank lines", async () => {
    const text =
      '[1, 2.5, -3]\n\n  {"logits": [0, 1e-3, -1e999], "id": "a", "target": 2, "params": {"topK": 5}}\r\n[4,5,6]';
    const { rows, error } = await collect(pieces(utf8(text), 3));
    expect(error).toBeUndefined();
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2]);
    expect(Array.from(rows[0]!.logits)).toEqual([1, 2.5, -3]);
    expect(Array.from(rows[1]!.logits)).toEqual([0, Math.fround(1e-3), Number.NEGATIVE_INFINITY]);
    expect(rows[1]).toMatchObject({ id: "a", target: 2, params: { topK: 5 } });
    expect(rows[2]!.id).toBeUndefined();
  });

  it("does not let __proto__ or constructor keys touch any prototype", async () => {
    const text =
      '{"logits": [1, 2], "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "id": {"__proto__": {"polluted": 3}}}\n' +
      '{"logits": [1, 2], "params": {"__proto__": {"topK": 1}}}\n';
    const { rows, error } = await collect(utf8(text), { onError: "skip" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(rows).toHaveLength(1);
    expect(Object.getPrototypeOf(rows[0]!.id)).toBe(Object.prototype);
    expect(error).toBeUndefined();
  });

  it("reports a non-numeric value with its row, line and byte offset", async () => {
    const text = '[1,2]\n\n{"logits": [1, "x"]}\n';
    const { rows, error } = await collect(utf8(text));
    expect(rows).toHaveLength(1);
    expect(error).toBeInstanceOf(WireError);
    expect(error).toMatchObject({ code: "E_WIRE_FIELD", frame: 1, byteOffset: 7 });
    expect(error!.message).toContain("line 3");
  });

  it("rejects a row whose length differs from the first row's", async () => {
    const { rows, error } = await collect(utf8("[1,2,3]\n[1,2,3]\n[1,2]\n"));
    expect(rows).toHaveLength(2);
    expect(error).toMatchObject({ code: "E_WIRE_VOCAB", frame: 2, byteOffset: 16 });
  });

  it("skips bad lines in skip mode, keeping every row's input position", async () => {
    const text = "[1,2]\n[1,x]\n[3,4]\n[5]\n[6,7]\n";
    const { rows, error } = await collect(utf8(text), { onError: "skip", maxBatchRows: 2 });
    expect(error).toBeUndefined();
    expect(rows.map((r) => r.row)).toEqual([0, 2, 4]);
    const batches = [];
    for await (const b of readBatches(utf8(text), { onError: "skip" })) batches.push(b);
    expect(batches[0]!.skippedRows).toEqual([1, 3]);
    expect(batches[0]!.errors!.map((e) => e.code)).toEqual(["E_WIRE_SYNTAX", "E_WIRE_VOCAB"]);
    expect(Number.isNaN(batches[0]!.data[2])).toBe(true);
  });

  it("enforces a given vocabulary size", async () => {
    const { error } = await collect(utf8("[1,2,3]\n"), { vocab: 2 });
    expect(error).toMatchObject({ code: "E_WIRE_VOCAB", frame: 0 });
  });

  it("rejects an out-of-range target", async () => {
    const { error } = await collect(utf8('{"logits":[1,2],"target":2}\n'));
    expect(error).toMatchObject({ code: "E_WIRE_FIELD", frame: 0 });
  });
});

describe("msgpack reader", () => {
  it("reads f32, f16 and bf16 bins, arrays, and batch frames with targets and ids", async () => {
    const f32 = new Uint8Array(new Float32Array([1, -2, 0.5]).buffer);
    const bytes = cat(
      pack({ logits: f32, id: 7, target: 1 }),
      pack({ logits: le16(0x3c00, 0x0001, 0xfc00), dtype: "f16" }),
      pack({ logits: le16(0x3f80, 0x4049, 0xff80), dtype: "bf16", params: { temperature: 0.5 } }),
      pack({ logits: [1, 2, 3, 4, 5, 6], rows: 2, vocab: 3, targets: [0, null], ids: ["x", "y"] }),
    );
    const { rows, error } = await collect(pieces(bytes, 5));
    expect(error).toBeUndefined();
    expect(rows.map((r) => Array.from(r.logits))).toEqual([
      [1, -2, 0.5],
      [1, 2 ** -24, Number.NEGATIVE_INFINITY],
      [1, 3.140625, Number.NEGATIVE_INFINITY],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(rows.map((r) => r.id)).toEqual([7, undefined, undefined, "x", "y"]);
    expect(rows.map((r) => r.target)).toEqual([1, undefined, undefined, 0, undefined]);
    expect(rows[2]!.params).toEqual({ temperature: 0.5 });
  });

  it("rejects extension types without instantiating them", async () => {
    // fixext 1 (0xd4), type 0x65 — msgpackr would build an Error object from it.
    const frame = cat(
      utf8(""),
      new Uint8Array([
        0x82,
        0xa6,
        ...utf8("logits"),
        0x92,
        0x01,
        0x02,
        0xa2,
        ...utf8("id"),
        0xd4,
        0x65,
        0x00,
      ]),
    );
    const { rows, error } = await collect(cat(pack({ logits: [1, 2] }), frame));
    expect(rows).toHaveLength(1);
    expect(error).toMatchObject({ code: "E_WIRE_FIELD", frame: 1 });
    expect(error!.message).toContain("extension type");
    const skipped = await collect(cat(frame, pack({ logits: [3, 4] })), { onError: "skip" });
    expect(skipped.rows.map((r) => r.row)).toEqual([1]);
  });

  it("decodes a __proto__ key in an id as a plain own key", async () => {
    const bytes = new Uint8Array([
      0x82,
      0xa6,
      ...utf8("logits"),
      0x91,
      0x01,
      0xa2,
      ...utf8("id"),
      0x81,
      0xa9,
      ...utf8("__proto__"),
      0x81,
      0xa1,
      0x78,
      0x01,
    ]);
    const { rows } = await collect(bytes);
    const id = rows[0]!.id as Record<string, unknown>;
    expect(Object.getPrototypeOf(id)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(id)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("rejects a bad dtype and a vocabulary change mid-stream", async () => {
    const f32 = new Uint8Array(new Float32Array([1, 2]).buffer);
    const a = await collect(cat(pack({ logits: f32 }), pack({ logits: f32, dtype: "f64" })));
    expect(a.error).toMatchObject({ code: "E_WIRE_DTYPE", frame: 1 });
    const b = await collect(cat(pack({ logits: f32 }), pack({ logits: [1, 2, 3] })));
    expect(b.error).toMatchObject({ code: "E_WIRE_VOCAB", frame: 1 });
  });

  it("rejects a batch frame whose rows × vocab does not match its data", async () => {
    const { error } = await collect(pack({ logits: [1, 2, 3, 4, 5, 6], rows: 4, vocab: 3 }));
    expect(error).toMatchObject({ code: "E_WIRE_FIELD", frame: 0, byteOffset: 0 });
  });

  it("round-trips the encoder's frames for every dtype and frame size", async () => {
    const batch = {
      ...makeBatch(9, 5),
      targets: Int32Array.from({ length: 9 }, (_, i) => (i % 2 ? -1 : i % 5)),
    };
    for (const dtype of ["f32", "array"] as const) {
      for (const per of [1, 2, 4]) {
        const { rows } = await collect(encodeMsgpack(batch, { dtype, rowsPerFrame: per }), {
          maxBatchRows: 3,
        });
        expect(rows.flatMap((r) => Array.from(r.logits))).toEqual(Array.from(batch.data));
        expect(rows.map((r) => r.target ?? -1)).toEqual(Array.from(batch.targets));
      }
    }
  });
});

describe("binary readers", () => {
  it("reads raw f16 rows given the vocabulary", async () => {
    const { rows } = await collect(le16(0x3c00, 0x0001, 0x7c00, 0xfc00), { format: "f16", vocab: 2 });
    expect(rows.map((r) => Array.from(r.logits))).toEqual([
      [1, 2 ** -24],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]);
  });

  it("reads raw bf16 and f32 rows split at odd byte boundaries", async () => {
    const bf = await collect(pieces(le16(0x3f80, 0x4049, 0x0001, 0xff80), 3), { format: "bf16", vocab: 2 });
    expect(bf.rows.map((r) => Array.from(r.logits))).toEqual([
      [1, 3.140625],
      [2 ** -133, Number.NEGATIVE_INFINITY],
    ]);
    const f = await collect(pieces(new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer), 5), {
      format: "f32",
      vocab: 3,
    });
    expect(f.rows.map((r) => Array.from(r.logits))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("reads a .npy file whose header is written byte by byte", async () => {
    const dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }";
    const header = [
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      0x01,
      0x00,
      118,
      0x00,
      ...utf8(dict),
      ...utf8(" ".repeat(58)),
      0x0a,
    ];
    expect(header).toHaveLength(128);
    const file = cat(new Uint8Array(header), le16(0x3c00, 0x4000, 0xbc00, 0x0001, 0x7bff, 0xfc00));
    const { rows, error } = await collect(pieces(file, 7));
    expect(error).toBeUndefined();
    expect(rows.map((r) => Array.from(r.logits))).toEqual([
      [1, 2, -1],
      [2 ** -24, 65504, Number.NEGATIVE_INFINITY],
    ]);
    // The encoder writes the same header.
    const f4 = Array.from(encodeNpyHeader([2, 3], "f16"));
    expect(f4).toEqual(header);
  });

  it("reads .npy <f4 and <f8 with shape [a, b, V] as a × b rows", async () => {
    const b = makeBatch(6, 4);
    for (const dtype of ["f32", "f64"] as const) {
      const { rows } = await collect(encodeNpy(b, dtype, [2, 3, 4]));
      expect(rows).toHaveLength(6);
      expect(rows.flatMap((r) => Array.from(r.logits))).toEqual(Array.from(b.data));
    }
  });

  it("reads a named safetensors tensor that follows another tensor", async () => {
    const json =
      '{"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"x":{"dtype":"F16","shape":[2,2],"data_offsets":[4,12]}}';
    const len = json.length;
    const file = cat(
      new Uint8Array([len, 0, 0, 0, 0, 0, 0, 0]),
      utf8(json),
      new Uint8Array([0, 0, 0x80, 0x3f]),
      le16(0x3c00, 0xc000, 0x0400, 0x7c00),
    );
    const { rows, error } = await collect(pieces(file, 11), { tensor: "x" });
    expect(error).toBeUndefined();
    expect(rows.map((r) => Array.from(r.logits))).toEqual([
      [1, -2],
      [2 ** -14, Number.POSITIVE_INFINITY],
    ]);
    const unnamed = await collect(file);
    expect(unnamed.error).toMatchObject({ code: "E_WIRE_TENSOR" });
    expect(unnamed.error!.message).toContain('"x"');
  });

  it("round-trips the safetensors encoder for F32, F16 and BF16 value by value, rounding to nearest even", async () => {
    // Exact in every dtype, then three that round: 1/3, 1 + 2^-9 (exact in f16's 10-bit mantissa, below
    // half of bf16's 2^-7 ulp) and -65504 (f16's largest; bf16's 7 bits round it up to -2^16).
    const values = [1, -2, 0.5, 1.5, 3, 100, -0.125, 1 / 3, 1 + 2 ** -9, -65504];
    const batch = { rows: 2, vocab: 5, data: new Float32Array(values) };
    const expected = {
      f32: values.map(Math.fround),
      // f16 1/3 = 0x3555 = 1365 / 4096
      f16: [1, -2, 0.5, 1.5, 3, 100, -0.125, 1365 / 4096, 1 + 2 ** -9, -65504],
      // bf16 1/3 = 0x3EAB = 171 / 512
      bf16: [1, -2, 0.5, 1.5, 3, 100, -0.125, 171 / 512, 1, -65536],
    };
    for (const dtype of ["f32", "f16", "bf16"] as const) {
      const { rows, error } = await collect(encodeSafetensors({ logits: { batch, dtype } }));
      expect(error).toBeUndefined();
      expect(rows.map((r) => r.row)).toEqual([0, 1]);
      expect(rows.flatMap((r) => Array.from(r.logits))).toEqual(expected[dtype]);
    }
  });
});

describe("batches and Node streams", () => {
  it("gives the same rows for every batch size and piece size", async () => {
    const b = makeBatch(23, 7);
    const bytes = encodeMsgpack(b, { rowsPerFrame: 3 });
    const ref = await collect(bytes);
    for (const maxBatchRows of [1, 2, 5, 64]) {
      for (const size of [1, 13, 4096]) {
        const got = await collect(pieces(bytes, size), { maxBatchRows });
        expect(got.rows.map((r) => Array.from(r.logits))).toEqual(ref.rows.map((r) => Array.from(r.logits)));
      }
    }
    for await (const batch of readBatches(encodeNpy(b), { maxBatchRows: 5 }))
      expect(batch.rows).toBeLessThanOrEqual(5);
  });

  it("works as Node object streams fed by a Node readable", async () => {
    const b = makeBatch(10, 3);
    const src = Readable.from(pieces(encodeNpy(b), 17));
    const batches = await createBatchStream(src, { maxBatchRows: 4 }).toArray();
    expect(batches.map((x) => x.rows)).toEqual([4, 4, 2]);
    const rows = await createRowStream(Readable.from(pieces(encodeNpy(b), 17))).toArray();
    expect(rows).toHaveLength(10);
  });

  it("emits a read error as the Node stream's error", async () => {
    const s = createRowStream([utf8("[1,2]\n[1,2,3]\n")]);
    await expect(s.toArray()).rejects.toBeInstanceOf(WireError);
  });

  it("accepts ArrayBuffer pieces as well as Uint8Array ones", async () => {
    const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const input = [bytes.slice(0, 3).buffer, bytes.slice(3)] as unknown as Uint8Array[];
    const { rows, error } = await collect(input, { format: "f32", vocab: 2 });
    expect(error).toBeUndefined();
    expect(rows.map((r) => Array.from(r.logits))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("rejects string chunks with advice", async () => {
    await expect(readRows(["[1]\n" as unknown as Uint8Array]).next()).rejects.toMatchObject({
      code: "E_WIRE_FORMAT",
    });
  });
});
