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
});
