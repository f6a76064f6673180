import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  type ByteReader,
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  encodeRaw,
  encodeSafetensors,
  frameChunks,
  type ReadOptions,
  readTargets,
  WireError,
} from "../src/index.js";
import { makeBatch, utf8 } from "./helpers.js";

/**
 * A ByteReader over bytes in memory that returns at most `most` bytes a call (short reads, as a file
 * near its end or a slow disk gives them) and records every buffer it was asked to fill.
 */
function memoryReader(bytes: Uint8Array, most = 1000) {
  let at = 0;
  const targets: ArrayBufferLike[] = [];
  const calls = { close: 0 };
  const reader: ByteReader = {
    async readInto(into) {
      targets.push(into.buffer);
      const k = Math.min(into.length, most, bytes.length - at);
      into.set(bytes.subarray(at, at + k));
      at += k;
      return k;
    },
    close() {
      calls.close++;
    },
  };
  return { reader, targets, calls };
}

interface Cut {
  firstRow: number;
  rows: number;
  byteOffset: number;
  bytes: number[];
}
const cut = (c: ByteChunk): Cut => ({
  firstRow: c.firstRow,
  rows: c.rows,
  byteOffset: c.byteOffset,
  bytes: Array.from(c.bytes),
});

async function chunks(input: Parameters<typeof frameChunks>[0], opts: ReadOptions): Promise<Cut[]> {
  const out: Cut[] = [];
  for await (const c of frameChunks(input, opts)) out.push(cut(c));
  return out;
}

async function failure(input: Parameters<typeof frameChunks>[0], opts: ReadOptions) {
  const seen: Cut[] = [];
  try {
    for await (const c of frameChunks(input, opts)) seen.push(cut(c));
  } catch (e) {
    return { seen, error: e as WireError };
  }
  return { seen, error: undefined };
}

const batch = makeBatch(37, 24, 5);
const inputs: [string, Uint8Array, ReadOptions][] = [
  ["NDJSON", encodeNdjson(batch), { maxBatchRows: 5 }],
  ["msgpack", encodeMsgpack(batch, { rowsPerFrame: 3 }), { maxBatchRows: 7 }],
  ["raw f32", encodeRaw(batch, "f32"), { format: "f32", vocab: 24, maxBatchRows: 8 }],
  ["raw f16", encodeRaw(batch, "f16"), { format: "f16", vocab: 24, maxBatchRows: 8 }],
  [".npy", encodeNpy(batch, "f32"), { maxBatchRows: 6 }],
  ["safetensors", encodeSafetensors({ logits: { batch, dtype: "bf16" } }), { maxBatchRows: 9 }],
];

describe("frameChunks over a ByteReader", () => {
  it.each(inputs)("cuts %s into the same chunks as the same bytes given whole", async (_n, bytes, opts) => {
    const whole = await chunks(bytes, opts);
    const { reader, calls } = memoryReader(bytes, 333);
    expect(await chunks(reader, opts)).toEqual(whole);
    expect(whole.reduce((n, c) => n + c.rows, 0)).toBe(37);
    expect(calls.close).toBe(1);
  });

  it("reads binary rows straight into the allocator's memory, with no read buffer in between", async () => {
    const bytes = encodeRaw(makeBatch(64, 32, 9), "f32");
    const slabs: ArrayBufferLike[] = [];
    const alloc = (n: number) => {
      const s = new SharedArrayBuffer(n);
      slabs.push(s);
      return new Uint8Array(s);
    };
    const { reader, targets } = memoryReader(bytes, 1 << 20);
    const got = await chunks(reader, { format: "f32", vocab: 32, maxBatchRows: 16, alloc });
    expect(got.map((c) => c.rows)).toEqual([16, 16, 16, 16]);
    expect(got.flatMap((c) => c.bytes)).toEqual(Array.from(bytes));
    // Every read landed in a chunk's memory, except the final one that found the end of the input.
    expect(slabs).toHaveLength(5);
    for (const t of targets) expect(slabs).toContain(t);
  });

  it("reports a row cut short at the same frame and byte offset as with pieces", async () => {
    const bytes = encodeRaw(makeBatch(10, 16, 3), "f32").subarray(0, 7 * 64 + 20);
    const opts: ReadOptions = { format: "f32", vocab: 16, maxBatchRows: 4 };
    const fromPieces = await failure([bytes.subarray(0, 100), bytes.subarray(100)], opts);
    const fromReader = await failure(memoryReader(bytes, 50).reader, opts);
    expect(fromReader.error).toBeInstanceOf(WireError);
    expect(fromReader.error?.code).toBe("E_WIRE_TRUNCATED");
    expect([fromReader.error?.frame, fromReader.error?.byteOffset]).toEqual([7, 7 * 64]);
    expect([fromPieces.error?.frame, fromPieces.error?.byteOffset]).toEqual([7, 7 * 64]);
    expect(fromReader.seen).toEqual(fromPieces.seen);
  });

  it("closes the reader once when the consumer stops early", async () => {
    const { reader, calls } = memoryReader(encodeRaw(makeBatch(40, 8, 2), "f32"));
    for await (const c of frameChunks(reader, { format: "f32", vocab: 8, maxBatchRows: 4 })) {
      expect(c.firstRow).toBe(0);
      break;
    }
    expect(calls.close).toBe(1);
  });

  it.each([
    ["more bytes than asked", 1e9],
    ["a negative count", -1],
    ["a fraction", 0.5],
  ])("rejects a reader that returns %s, naming readInto", async (_what, k) => {
    const reader: ByteReader = { readInto: async () => k };
    const { error } = await failure(reader, { format: "f32", vocab: 4 });
    expect(error).toBeInstanceOf(WireError);
    expect(error?.code).toBe("E_WIRE_FORMAT");
    expect(error?.message).toContain("readInto");
  });
});

describe("readTargets over a ByteReader", () => {
  it("reads the same targets as from the bytes given whole, and closes the reader", async () => {
    const text = utf8(`${Array.from({ length: 500 }, (_, i) => (i * 7) % 101).join("\n")}\n`);
    const whole: number[] = [];
    for await (const t of readTargets(text)) whole.push(...t);
    const { reader, calls } = memoryReader(text, 77);
    const got: number[] = [];
    for await (const t of readTargets(reader)) got.push(...t);
    expect(got).toEqual(whole);
    expect(got.slice(0, 4)).toEqual([0, 7, 14, 21]);
    expect(calls.close).toBe(1);
  });
});
