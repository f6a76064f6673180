import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeChunk as leanDecodeChunk } from "../src/decode.js";
import {
  type ByteChunk,
  decodeChunk,
  decodeChunkPrefix,
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  frameChunks,
  readBatches,
} from "../src/index.js";
import { makeBatch, pieces, utf8 } from "./helpers.js";

async function chunksOf(input: Uint8Array | Uint8Array[], opts = {}): Promise<ByteChunk[]> {
  const out: ByteChunk[] = [];
  for await (const c of frameChunks(input, opts)) out.push(c);
  return out;
}

describe("frameChunks and decodeChunk", () => {
  it("cuts NDJSON at line ends with rows, first row, first line and byte offset", async () => {
    const text = "[1,2]\n\n[3,4]\n[5,6]\n[7,8]";
    const cs = await chunksOf(pieces(utf8(text), 4), { maxBatchRows: 2 });
    expect(cs.map((c) => [c.firstRow, c.rows, c.firstLine, c.byteOffset, c.bytes.length])).toEqual([
      [0, 2, 1, 0, 13],
      [2, 2, 4, 13, 11],
    ]);
    expect(Array.from(decodeChunk(cs[1]!).data)).toEqual([5, 6, 7, 8]);
  });

  it("cuts msgpack at frame ends, never splitting a batch frame", async () => {
    const b = makeBatch(10, 3);
    const bytes = encodeMsgpack(b, { rowsPerFrame: 4 }); // frames of 4, 4, 2 rows
    const cs = await chunksOf(pieces(bytes, 9), { maxBatchRows: 5 });
    expect(cs.map((c) => [c.firstRow, c.rows, c.firstFrame])).toEqual([
      [0, 4, 0],
      [4, 4, 1],
      [8, 2, 2],
    ]);
    const all = cs.flatMap((c) => Array.from(decodeChunk(c).data));
    expect(all).toEqual(Array.from(b.data));
  });

  it("cuts binary rows into chunks whose bytes own their buffer (transferable)", async () => {
    const b = makeBatch(7, 5);
    const cs = await chunksOf(pieces(encodeNpy(b), 10), { maxBatchRows: 3 });
    expect(cs.map((c) => [c.firstRow, c.rows, c.byteOffset, c.dtype, c.vocab])).toEqual([
      [0, 3, 128, "f32", 5],
      [3, 3, 188, "f32", 5],
      [6, 1, 248, "f32", 5],
    ]);
    for (const c of cs) expect(c.bytes.byteLength).toBe(c.bytes.buffer.byteLength);
    // A structured clone (what postMessage does) decodes to the same rows.
    const cloned = structuredClone(cs[1]!);
    expect(Array.from(decodeChunk(cloned).data)).toEqual(Array.from(b.data.subarray(15, 30)));
  });

  it("keeps each chunk near maxChunkBytes however large the input", async () => {
    const b = makeBatch(200, 64);
    let maxBytes = 0;
    for await (const c of frameChunks(pieces(encodeNdjson(b), 1000), { maxChunkBytes: 4096 }))
      maxBytes = Math.max(maxBytes, c.bytes.length);
    expect(maxBytes).toBeLessThan(4096 + 2000); // one line of ~1.3 KB past the cap at most
  });

  it("decodeChunkPrefix hands back the rows before a bad one with the error", () => {
    const bytes = utf8("[1,2]\n[3,4]\n[5]\n[7,8]\n");
    const chunk: ByteChunk = {
      format: "ndjson",
      firstRow: 10,
      rows: 4,
      firstFrame: 10,
      bytes,
      byteOffset: 100,
    };
    const { batch, error } = decodeChunkPrefix(chunk);
    expect(batch).toMatchObject({ firstRow: 10, rows: 2, vocab: 2 });
    expect(Array.from(batch.data)).toEqual([1, 2, 3, 4]);
    expect(error).toMatchObject({ code: "E_WIRE_VOCAB", frame: 12, byteOffset: 112 });
    expect(() => decodeChunk(chunk)).toThrow(error!.message);
  });

  it("the lean entry decodes like the main one and imports no Node stream or rxjs module", async () => {
    const chunk: ByteChunk = {
      format: "f16",
      firstRow: 0,
      rows: 1,
      firstFrame: 0,
      bytes: new Uint8Array([0, 0x3c, 1, 0]),
      byteOffset: 0,
      dtype: "f16",
      vocab: 2,
    };
    expect(Array.from(leanDecodeChunk(chunk).data)).toEqual([1, 2 ** -24]);
    // Walk the decode entry's import graph in the sources.
    const seen = new Set<string>();
    const external = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(new URL(file, import.meta.url), "utf8");
      for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1]!;
        if (spec.startsWith("."))
          walk(new URL(spec.replace(/\.js$/, ".ts"), new URL(file, import.meta.url)).href);
        else external.add(spec);
      }
    };
    walk("../src/decode.ts");
    expect([...external].sort()).toEqual(["@logitstream/core", "msgpackr/unpack"]);
  });

  it("readBatches enforces the first batch's vocabulary on later chunks", async () => {
    const text = "[1,2]\n[3,4]\n[5,6,7]\n";
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const b of readBatches(utf8(text), { maxBatchRows: 2 })) got.push(b.rows);
      })(),
    ).rejects.toMatchObject({ code: "E_WIRE_VOCAB", frame: 2 });
    expect(got).toEqual([2]);
  });
});

describe("frameChunks alloc option", () => {
  it("cuts every chunk into the allocator's memory, with the same bytes as without it", async () => {
    const { frameChunks: frame } = await import("../src/frameChunks.js");
    const text = new TextEncoder().encode(
      Array.from({ length: 100 }, (_, i) => `[${i},1,2]`)
        .join("\n")
        .concat("\n"),
    );
    const pieces = Array.from({ length: Math.ceil(text.length / 37) }, (_, i) =>
      text.subarray(i * 37, (i + 1) * 37),
    );
    const plain: number[] = [];
    for await (const c of frame(pieces, { maxBatchRows: 7 })) plain.push(...c.bytes);
    const slabs: SharedArrayBuffer[] = [];
    const alloc = (n: number) => {
      const s = new SharedArrayBuffer(n + 64);
      slabs.push(s);
      return new Uint8Array(s, 0, n);
    };
    const cut: number[] = [];
    for await (const c of frame(pieces, { maxBatchRows: 7, alloc })) {
      expect(slabs).toContain(c.bytes.buffer);
      cut.push(...c.bytes);
    }
    expect(cut).toEqual(plain);
    const raw = new Uint8Array(new Float32Array(Array.from({ length: 50 }, (_, i) => i)).buffer);
    for await (const c of frame([raw.subarray(0, 30), raw.subarray(30)], { format: "f32", vocab: 5, alloc }))
      expect(slabs).toContain(c.bytes.buffer);
  });
});
