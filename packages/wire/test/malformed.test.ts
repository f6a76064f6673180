import { describe, expect, it } from "vitest";
import { encodeNpy, encodeNpyHeader, encodeSafetensors, WireError } from "../src/index.js";
import { collect, makeBatch, utf8 } from "./helpers.js";

const cat = (...ps: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(ps.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of ps) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A .npy version 1.0 file with a hand-written header dict and the given data bytes. */
function npy(dict: string, data = new Uint8Array(0)): Uint8Array {
  const body = `${dict}\n`;
  return cat(
    new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, body.length & 0xff, body.length >>> 8]),
    utf8(body),
    data,
  );
}

function safetensors(header: string, data = new Uint8Array(0)): Uint8Array {
  return cat(
    new Uint8Array([header.length & 0xff, header.length >>> 8, 0, 0, 0, 0, 0, 0]),
    utf8(header),
    data,
  );
}

describe("malformed .npy headers", () => {
  it("rejects big-endian, integer and object dtypes, and never evaluates the header", async () => {
    for (const descr of [">f4", "<i4", "|O", "__import__(os)"]) {
      const { error } = await collect(
        npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1, 2), }`),
      );
      expect(error, descr).toMatchObject({ code: "E_WIRE_DTYPE", frame: -1 });
    }
    // Python code in place of a literal is a syntax error for the tokenizer, not something to run.
    const { error } = await collect(npy("{'descr': __import__('os').system('x'), 'shape': (1, 2), }"));
    expect(error).toMatchObject({ code: "E_WIRE_HEADER", frame: -1 });
  });

  it("rejects Fortran order, empty and zero-width shapes, and absurd shapes", async () => {
    const cases: [string, string][] = [
      ["{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "E_WIRE_HEADER"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "E_WIRE_HEADER"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "E_WIRE_HEADER"],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999999, 999999, 1000), }",
        "E_WIRE_HEADER",
      ],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1073741824), }", "E_WIRE_LIMIT"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)", "E_WIRE_HEADER"],
      ["not a dict", "E_WIRE_HEADER"],
    ];
    for (const [dict, code] of cases) {
      const { error } = await collect(npy(dict));
      expect(error, dict).toMatchObject({ code });
    }
  });

  it("reports a header that claims more rows than the file holds, after delivering the rows it has", async () => {
    const header = encodeNpyHeader([1000, 3], "f32");
    const { rows, error } = await collect(
      cat(header, new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer)),
    );
    expect(rows).toHaveLength(2);
    expect(error).toMatchObject({ code: "E_WIRE_TRUNCATED", frame: 2, byteOffset: header.length + 24 });
    expect(error!.message).toContain("1000 rows");
  });

  it("rejects a version-2 header length meant to exhaust memory, without waiting for it", async () => {
    const file = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f, 0x7b]);
    const { error } = await collect(file);
    expect(error).toMatchObject({ code: "E_WIRE_LIMIT", frame: -1 });
  });

  it("does not allocate the row a header claims before its bytes arrive", async () => {
    const header = encodeNpyHeader([1, 16_000_000], "f64"); // one 128 MB row, then only 8 bytes
    const before = process.memoryUsage().arrayBuffers;
    const { error } = await collect(cat(header, new Uint8Array(8)));
    expect(error).toMatchObject({ code: "E_WIRE_TRUNCATED", frame: 0 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("checks a given vocabulary against the header", async () => {
    const { error } = await collect(encodeNpy(makeBatch(2, 4)), { vocab: 5 });
    expect(error).toMatchObject({ code: "E_WIRE_VOCAB" });
  });
});

describe("malformed safetensors headers", () => {
  it("rejects a header length of 2^40 bytes at once", async () => {
    const file = cat(new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0]), utf8('{"x":1}'));
    const { error } = await collect(file, { format: "safetensors" });
    expect(error).toMatchObject({ code: "E_WIRE_LIMIT", frame: -1, byteOffset: 0 });
  });

  it("reports a 90 MB header claim on a tiny input as truncation, without allocating it", async () => {
    const n = 90_000_000;
    const file = cat(
      new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24, 0, 0, 0, 0]),
      utf8('{"x": {'),
    );
    const before = process.memoryUsage().arrayBuffers;
    const { error } = await collect(file);
    expect(error).toMatchObject({ code: "E_WIRE_TRUNCATED", frame: -1 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("rejects unsupported dtypes, bad shapes and offsets that do not match the shape", async () => {
    const cases: [string, string][] = [
      ['{"t":{"dtype":"I64","shape":[1,2],"data_offsets":[0,16]}}', "E_WIRE_DTYPE"],
      ['{"t":{"dtype":"F32","shape":[1,2],"data_offsets":[0,9]}}', "E_WIRE_HEADER"],
      ['{"t":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', "E_WIRE_HEADER"],
      ['{"t":{"dtype":"F32","shape":[1e300,2],"data_offsets":[0,4]}}', "E_WIRE_HEADER"],
      ['{"t":{"dtype":"F32","shape":[1,33554432],"data_offsets":[0,134217728]}}', "E_WIRE_LIMIT"],
      ['{"t":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}}', "E_WIRE_HEADER"],
      ['{"t": [1, 2]', "E_WIRE_HEADER"],
      ['{"__metadata__":{"a":"b"}}', "E_WIRE_HEADER"], // no tensor at all: bad data, not a bad --tensor
    ];
    for (const [h, code] of cases) {
      const { error } = await collect(safetensors(h), { format: "safetensors" });
      expect(error, h).toMatchObject({ code });
    }
  });

  it("reports tensor data that ends early after delivering the complete rows", async () => {
    const file = encodeSafetensors({ logits: { batch: makeBatch(4, 2) } });
    const { rows, error } = await collect(file.subarray(0, file.length - 9));
    expect(rows).toHaveLength(2);
    expect(error).toMatchObject({ code: "E_WIRE_TRUNCATED", frame: 2 });
  });
});

describe("malformed msgpack", () => {
  it("rejects a bin or array claiming gigabytes, at once", async () => {
    const bin = new Uint8Array([0x81, 0xa6, ...utf8("logits"), 0xc6, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3]);
    const arr = new Uint8Array([0x81, 0xa6, ...utf8("logits"), 0xdd, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3]);
    const map = new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3]);
    for (const b of [bin, arr, map]) {
      const { error } = await collect(b, { format: "msgpack" });
      expect(error).toMatchObject({ code: "E_WIRE_LIMIT", frame: 0, byteOffset: 0 });
    }
  });

  it("rejects deep nesting and the never-used byte 0xc1 as unrecoverable, even in skip mode", async () => {
    const deep = new Uint8Array([0x81, 0xa2, ...utf8("id"), ...new Array(100).fill(0x91), 0x01]);
    const c1 = new Uint8Array([0x81, 0xa2, ...utf8("id"), 0xc1]);
    for (const b of [deep, c1]) {
      const { error } = await collect(b, { format: "msgpack", onError: "skip" });
      expect(error).toMatchObject({ code: "E_WIRE_SYNTAX", frame: 0 });
    }
  });

  it("rejects a frame that is not a map, or has no logits, and skips it in skip mode", async () => {
    const good = new Uint8Array([0x81, 0xa6, ...utf8("logits"), 0x92, 0x01, 0x02]);
    const notMap = new Uint8Array([0xa1, 0x78]); // a string ("x"): not a map, an array or a bin
    const noLogits = new Uint8Array([0x81, 0xa2, ...utf8("id"), 0x01]);
    const input = cat(good, good, notMap, good, noLogits, good);
    const thrown = await collect(input, { format: "msgpack" });
    expect(thrown.rows).toHaveLength(2);
    expect(thrown.error).toMatchObject({ code: "E_WIRE_FIELD", frame: 2, byteOffset: 2 * good.length });
    const skipped = await collect(input, { format: "msgpack", onError: "skip" });
    expect(skipped.rows.map((r) => r.row)).toEqual([0, 1, 3, 5]);
  });
});

describe("malformed NDJSON", () => {
  it("rejects a line longer than maxFrameBytes without buffering the rest", async () => {
    async function* endless() {
      yield utf8("[1,2]\n[");
      for (;;) yield utf8("1,".repeat(1000));
    }
    const { rows, error } = await collect(endless(), { maxFrameBytes: 100_000 });
    expect(rows).toHaveLength(1);
    expect(error).toMatchObject({ code: "E_WIRE_LIMIT", frame: 1, byteOffset: 6 });
  });

  it("rejects an id nested past MAX_ID_DEPTH and logits nested in arrays, and reads an enormous number as JSON.parse does", async () => {
    const nested = `{"logits":[1],"id":${"[".repeat(100000)}${"]".repeat(100000)}}\n`;
    const deepLogits = `[${"[".repeat(100000)}\n`;
    const hugeNumber = `[1${"0".repeat(100000)}]\n`;
    const id = await collect(utf8(nested));
    expect(id.rows).toHaveLength(0);
    expect(id.error).toBeInstanceOf(WireError);
    expect(id.error).toMatchObject({ code: "E_WIRE_FIELD", frame: 0, byteOffset: 0 });
    expect(id.error!.message).toContain("deeper than 64 levels");
    const deep = await collect(utf8(deepLogits));
    expect(deep.rows).toHaveLength(0);
    expect(deep.error).toMatchObject({ code: "E_WIRE_SYNTAX", frame: 0, byteOffset: 0 });
    const huge = await collect(utf8(hugeNumber));
    expect(huge.error).toBeUndefined();
    expect(huge.rows.map((r) => Array.from(r.logits))).toEqual([[Number.POSITIVE_INFINITY]]); // Math.fround(JSON.parse)
  });

  it("rejects invalid UTF-8 in an object line and a line that is neither array nor object", async () => {
    const bad = cat(utf8('{"logits":[1],"id":"'), new Uint8Array([0xff, 0xfe]), utf8('"}\n'));
    expect((await collect(bad)).error).toMatchObject({ code: "E_WIRE_SYNTAX", frame: 0 });
    expect((await collect(utf8("[1]\n42\n"))).error).toMatchObject({
      code: "E_WIRE_SYNTAX",
      frame: 1,
      byteOffset: 4,
    });
  });

  it("rejects unknown or mistyped params", async () => {
    expect((await collect(utf8('{"logits":[1],"params":{"topk":3}}'))).error).toMatchObject({
      code: "E_WIRE_FIELD",
    });
    expect((await collect(utf8('{"logits":[1],"params":{"topK":"3"}}'))).error).toMatchObject({
      code: "E_WIRE_FIELD",
    });
    expect((await collect(utf8('{"logits":[1],"params":{"logitBias":{"x":1}}}'))).error).toMatchObject({
      code: "E_WIRE_FIELD",
    });
  });
});
