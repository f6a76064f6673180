// An id is echoed into every output record of its rows, and the serializers (JSON.stringify, msgpackr,
// structured clone) recurse once per nesting level. An id nested 100,000 deep used to overflow the
// stack there ("Maximum call stack size exceeded", an internal error); wire now rejects ids deeper than
// MAX_ID_DEPTH with a WireError naming the frame and byte offset, and never recurses on them itself.
import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  decodeChunkPrefix,
  encodeRecordLine,
  encodeRecordMsgpack,
  encodeRecords,
  frameChunks,
  MAX_ID_DEPTH,
  validateRecord,
  WireError,
} from "../src/index.js";
import { valueDepth } from "../src/valueDepth.js";
import { collect, utf8 } from "./helpers.js";

const deepArray = (d: number) => `${"[".repeat(d)}${"]".repeat(d)}`;
const deepObject = (d: number) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`;
const good = (i: number) => `{"logits":[${i},1,2,3],"id":${i}}\n`;

async function chunksOf(bytes: Uint8Array, opts = {}): Promise<ByteChunk[]> {
  const out: ByteChunk[] = [];
  for await (const c of frameChunks([bytes], opts)) out.push(c);
  return out;
}

describe("valueDepth", () => {
  it("measures nesting without recursion, stopping past the limit", () => {
    expect(valueDepth(7)).toBe(0);
    expect(valueDepth(null)).toBe(0);
    expect(valueDepth([])).toBe(1);
    expect(valueDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(valueDepth(new Map([["a", [1]]]))).toBe(2);
    expect(valueDepth(Float32Array.of(1))).toBe(1);
    expect(valueDepth(JSON.parse(deepArray(100_000)))).toBe(MAX_ID_DEPTH + 1);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(valueDepth(cyclic)).toBe(MAX_ID_DEPTH + 1);
  });
});

describe("deeply nested ids in NDJSON", () => {
  for (const [name, id] of [
    ["100,000 nested arrays", deepArray(100_000)],
    ["5,000 nested objects", deepObject(5000)],
    [`${MAX_ID_DEPTH + 1} nested arrays`, deepArray(MAX_ID_DEPTH + 1)],
  ] as const) {
    it(`rejects an id of ${name} with a WireError naming the row, after the rows before it`, async () => {
      const input = utf8(`${good(0)}${good(1)}{"logits":[0,1,2,3],"id":${id}}\n${good(3)}`);
      const [chunk] = await chunksOf(input);
      const { batch, error } = decodeChunkPrefix(chunk!);
      expect(batch.rows).toBe(2);
      expect(batch.ids).toEqual([0, 1]);
      expect(error).toBeInstanceOf(WireError);
      expect(error).toMatchObject({ code: "E_WIRE_FIELD", frame: 2, byteOffset: 2 * good(0).length });
      expect(error!.message).toContain("row 2");
      expect(error!.message).toContain(`deeper than ${MAX_ID_DEPTH}`);

      const read = await collect(input);
      expect(read.rows.map((r) => r.id)).toEqual([0, 1]);
      expect(read.error).toMatchObject({ code: "E_WIRE_FIELD", frame: 2 });

      const skipped = await collect(input, { onError: "skip" });
      expect(skipped.rows.map((r) => r.id)).toEqual([0, 1, 3]);
    });
  }

  it(`accepts an id nested exactly ${MAX_ID_DEPTH} deep and writes it back`, async () => {
    const id = deepArray(MAX_ID_DEPTH);
    const [chunk] = await chunksOf(utf8(`{"logits":[0,1,2,3],"id":${id}}\n`));
    const { batch, error } = decodeChunkPrefix(chunk!);
    expect(error).toBeUndefined();
    const line = encodeRecordLine({ row: 0, token: 3, logprob: -0.5, id: batch.ids![0] });
    expect(line).toBe(`{"row":0,"token":3,"logprob":-0.5,"id":${id}}\n`);
  });
});

describe("deeply nested ids in msgpack", () => {
  const str = (s: string) => [0xa0 | s.length, ...utf8(s)];
  const logits = [...str("logits"), 0xc4, 16, ...new Uint8Array(Float32Array.of(0, 1, 2, 3).buffer)];

  it("rejects an id nested 100,000 arrays deep in the framer (bounded scan), naming the frame", async () => {
    const input = Uint8Array.from([0x82, ...logits, ...str("id"), ...new Array(100_000).fill(0x91), 0x01]);
    const { rows, error } = await collect(input, { format: "msgpack" });
    expect(rows).toEqual([]);
    expect(error).toMatchObject({ code: "E_WIRE_SYNTAX", frame: 0, byteOffset: 0 });
  });

  it("decodes an id nested as deep as the scan allows into a plain value", async () => {
    const depth = 30; // the frame map is level 1, the id's arrays the next 30
    const input = Uint8Array.from([0x82, ...logits, ...str("id"), ...new Array(depth).fill(0x91), 0x01]);
    const { rows, error } = await collect(input, { format: "msgpack" });
    expect(error).toBeUndefined();
    expect(valueDepth(rows[0]!.id)).toBe(depth);
  });
});

describe("output records with deeply nested ids", () => {
  const deep = JSON.parse(deepArray(100_000)) as unknown;

  it("validateRecord rejects them (E_WIRE_RECORD) without overflowing the stack", () => {
    expect(() => validateRecord({ row: 0, token: 1, logprob: -1, id: deep }, 4)).toThrow(WireError);
    expect(() => validateRecord({ row: 0, token: 1, logprob: -1, id: deep }, 4)).toThrow(/deeper than/);
    expect(validateRecord({ row: 0, token: 1, logprob: -1, id: [[1]] })).toBe("sample");
  });

  it("the encoders throw a WireError naming the row instead of a RangeError", () => {
    const rec = { row: 5, entropy: 1, id: deep };
    for (const encode of [
      () => encodeRecordLine(rec),
      () => encodeRecordMsgpack(rec),
      () => encodeRecords([rec], "ndjson"),
      () => encodeRecords([rec], "msgpack"),
    ]) {
      let error: unknown;
      try {
        encode();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WireError);
      expect(error).toMatchObject({ code: "E_WIRE_RECORD", frame: 5 });
    }
  });
});
