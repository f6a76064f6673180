import { describe, expect, it } from "vitest";
import {
  encodeMsgpack,
  encodeNdjson,
  encodeRaw,
  frameChunks,
  type ReadOptions,
  readBatches,
} from "../src/index.js";
import { makeBatch } from "./helpers.js";

// Readers pull input only as fast as their consumer takes rows: whatever the input size, what is
// buffered is about one chunk plus one read. Shown on endless inputs, by counting the bytes pulled.

function endless(piece: Uint8Array, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  return (async function* () {
    for (;;) {
      counter.bytes += piece.length;
      yield piece;
    }
  })();
}

const block = makeBatch(64, 1000, 3);
const cases: [string, Uint8Array, ReadOptions][] = [
  ["raw f32", encodeRaw(block, "f32"), { format: "f32", vocab: 1000 }],
  ["NDJSON", encodeNdjson(block), {}],
  ["msgpack", encodeMsgpack(block, { rowsPerFrame: 4 }), {}],
];

describe("bounded memory", () => {
  for (const [name, piece, opts] of cases) {
    it(`${name}: an endless input is pulled only as far as the chunks consumed`, async () => {
      const counter = { bytes: 0 };
      const maxChunkBytes = 64 * 1024;
      let chunks = 0;
      let chunkBytes = 0;
      for await (const c of frameChunks(endless(piece, counter), { ...opts, maxChunkBytes })) {
        chunks++;
        chunkBytes += c.bytes.length;
        expect(c.bytes.length).toBeLessThanOrEqual(maxChunkBytes + 25_000); // one frame past the cap at most
        if (chunks === 50) break;
      }
      // Pulled = consumed + what is buffered: less than one chunk and one piece beyond the consumer.
      expect(counter.bytes - chunkBytes).toBeLessThanOrEqual(maxChunkBytes + 25_000 + piece.length);
    });
  }

  it("readBatches stops pulling when the consumer stops", async () => {
    const counter = { bytes: 0 };
    let rows = 0;
    for await (const b of readBatches(endless(encodeRaw(block, "f16"), counter), {
      format: "f16",
      vocab: 1000,
      maxBatchRows: 8,
    })) {
      rows += b.rows;
      if (rows >= 800) break;
    }
    expect(rows).toBe(800);
    expect(counter.bytes).toBeLessThanOrEqual(800 * 2000 + encodeRaw(block, "f16").length);
  });

  for (const [name, make] of [
    ["NDJSON", (b: typeof block) => encodeNdjson(b)],
    ["msgpack", (b: typeof block) => encodeMsgpack(b, { rowsPerFrame: 4 })],
  ] as const) {
    it(`${name}: chunks cut from one large input piece own about their bytes only, in linear time`, async () => {
      // A library user passes one big buffer. Handing out the whole read buffer as each chunk's buffer
      // (and moving the rest of the input to a new buffer for every chunk) made each chunk pin the
      // rest of the input and the framing quadratic.
      const big = makeBatch(4096, 64, 5);
      const input = make(big);
      let chunks = 0;
      let rows = 0;
      let worst = 0;
      for await (const c of frameChunks([input], { maxBatchRows: 16 })) {
        chunks++;
        rows += c.rows;
        worst = Math.max(worst, c.bytes.buffer.byteLength / c.bytes.byteLength);
      }
      expect(rows).toBe(4096);
      expect(chunks).toBe(256);
      expect(worst, "largest ratio of a chunk's buffer to its bytes").toBeLessThan(2);
    });
  }

  it("NDJSON from pipe-sized reads still hands out the read buffer itself for large chunks", async () => {
    const input = encodeNdjson(makeBatch(256, 2000, 7)); // ~5 MB, ~20 KB lines
    const reads: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 65_536) reads.push(input.slice(i, i + 65_536));
    let worst = 0;
    let rows = 0;
    let handedOut = 0; // chunks that are a view of a read buffer (not copied out)
    for await (const c of frameChunks(reads, { maxChunkBytes: 1 << 20 })) {
      rows += c.rows;
      worst = Math.max(worst, c.bytes.buffer.byteLength / c.bytes.byteLength);
      if (c.bytes.buffer.byteLength > c.bytes.byteLength) handedOut++;
    }
    expect(rows).toBe(256);
    expect(worst).toBeLessThan(2);
    expect(handedOut).toBeGreaterThan(0);
  });
});

describe("a row longer than maxVocab allows", () => {
  it("stops an NDJSON array line at maxVocab commas, not at maxFrameBytes, after the rows before it", async () => {
    // Two good rows, then one line of "0," that never ends: without the count, the framer buffers it
    // until maxFrameBytes (the CLI's 200 MB line: ~0.8 GB resident by the time it was rejected).
    const counter = { bytes: 0 };
    const maxVocab = 4096;
    async function* input(): AsyncGenerator<Uint8Array> {
      const head = new TextEncoder().encode("[1,2,3]\n[4,5,6]\n[");
      counter.bytes += head.length;
      yield head;
      const piece = new TextEncoder().encode("0,".repeat(8192));
      for (;;) {
        counter.bytes += piece.length;
        yield piece;
      }
    }
    const rows: number[] = [];
    let error: unknown;
    try {
      for await (const c of frameChunks(input(), { maxVocab, maxFrameBytes: 8 << 20 })) rows.push(c.rows);
    } catch (e) {
      error = e;
    }
    expect(rows).toEqual([2]);
    expect(error).toMatchObject({ code: "E_WIRE_LIMIT", frame: 2, byteOffset: 16 });
    expect((error as Error).message).toContain("row 2 (line 3) has more than maxVocab (4096) logits");
    expect(counter.bytes).toBeLessThan(4 * maxVocab + 3 * 16_384);
  });

  it("still reads an array line of exactly maxVocab logits, and object lines of any width up to maxFrameBytes", async () => {
    const maxVocab = 3000;
    const row = `[${new Array(maxVocab).fill("0").join(",")}]\n`;
    const obj = `{"logits":${row.trim()},"id":"${"x,".repeat(4000)}"}\n`;
    let rows = 0;
    for await (const b of readBatches([new TextEncoder().encode(row + obj)], { maxVocab })) rows += b.rows;
    expect(rows).toBe(2);
  });
});
