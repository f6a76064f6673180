// An input that pauses between rows (a model writing one row per step into a pipe, someone typing
// into `cat | logitstream sample`): the framer hands out the complete rows it holds as soon as the
// input would make it wait, instead of waiting for a full chunk of maxBatchRows rows. Inputs whose
// pieces are all there at once keep full-size chunks.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  decodeChunk,
  encodeMsgpack,
  encodeNdjson,
  encodeRaw,
  frameChunks,
  type ReadOptions,
  readRows,
} from "../src/index.js";
import { makeBatch, utf8 } from "./helpers.js";

/**
 * A source of `pieces` that stops before each piece after the first until `release()` is called, and
 * logs what happens (`piece i` when it yields piece i, `wait i` when it is asked for piece i).
 */
function pausingSource(pieces: readonly Uint8Array[]) {
  const log: string[] = [];
  let release: (() => void) | undefined;
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) {
        log.push(`wait ${i}`);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      log.push(`piece ${i}`);
      yield pieces[i]!;
    }
  }
  return { source: source(), log, release: () => release!() };
}

const B = makeBatch(3, 4, 9);
const row = (r: number) => ({ rows: 1, vocab: 4, data: B.data.subarray(r * 4, r * 4 + 4) });

const FORMATS: [string, (r: number) => Uint8Array, ReadOptions][] = [
  ["NDJSON", (r) => encodeNdjson(row(r)), {}],
  ["msgpack", (r) => encodeMsgpack(row(r)), {}],
  ["raw f32", (r) => encodeRaw(row(r), "f32"), { format: "f32", vocab: 4 }],
];

describe("frameChunks on an input that pauses between rows", () => {
  it.each(FORMATS)(
    "yields each %s row while the source waits for the next one",
    async (_name, encode, opts) => {
      const s = pausingSource([encode(0), encode(1), encode(2)]);
      const it = frameChunks(s.source, opts)[Symbol.asyncIterator]();
      const chunks: ByteChunk[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await it.next();
        expect(c.done).toBe(false);
        chunks.push(c.value as ByteChunk);
        s.log.push(`chunk ${i}`);
        if (i < 2) s.release();
      }
      expect((await it.next()).done).toBe(true);
      // Chunk i is out before piece i + 1 is given: the framer did not wait for it.
      expect(s.log).toEqual([
        "piece 0",
        "wait 1",
        "chunk 0",
        "piece 1",
        "wait 2",
        "chunk 1",
        "piece 2",
        "chunk 2",
      ]);
      expect(chunks.map((c) => [c.firstRow, c.rows])).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      const data = chunks.flatMap((c) => Array.from(decodeChunk({ ...c, vocab: 4 }).data));
      expect(data).toEqual(Array.from(B.data));
    },
  );

  it.each(FORMATS)(
    "keeps full chunks of %s rows when every piece is there at once",
    async (_name, encode, opts) => {
      const pieces = Array.from({ length: 100 }, (_, r) => encode(r % 3));
      const rows: number[] = [];
      for await (const c of frameChunks(pieces, opts)) rows.push(c.rows);
      expect(rows).toEqual([64, 36]);
    },
  );

  it("yields the rows a piece completes together, and carries on after the pause", async () => {
    const s = pausingSource([utf8("[1,2]\n[3,4]\n"), utf8("[5,6]\n")]);
    const it = frameChunks(s.source)[Symbol.asyncIterator]();
    const first = (await it.next()).value as ByteChunk;
    s.log.push("chunk 0");
    s.release();
    const second = (await it.next()).value as ByteChunk;
    expect(s.log).toEqual(["piece 0", "wait 1", "chunk 0", "piece 1"]);
    expect([first.firstRow, first.rows, first.byteOffset]).toEqual([0, 2, 0]);
    expect([second.firstRow, second.rows, second.byteOffset, second.firstLine]).toEqual([2, 1, 12, 3]);
    expect((await it.next()).done).toBe(true);
  });

  it("detects NDJSON from a first line shorter than the 9 bytes detection reads, when the input pauses after it", async () => {
    const s = pausingSource([utf8("[1]\n"), utf8("[2]\n")]);
    const it = frameChunks(s.source)[Symbol.asyncIterator]();
    const first = (await it.next()).value as ByteChunk;
    s.log.push("chunk 0");
    s.release();
    const second = (await it.next()).value as ByteChunk;
    expect(s.log).toEqual(["piece 0", "wait 1", "chunk 0", "piece 1"]);
    expect([first.format, first.rows, Array.from(decodeChunk(first).data)]).toEqual(["ndjson", 1, [1]]);
    expect([second.firstRow, Array.from(decodeChunk(second).data)]).toEqual([1, [2]]);
    expect((await it.next()).done).toBe(true);
  });

  it("delivers each row of a Node stream that stays open before the next row is written", async () => {
    const input = new PassThrough();
    const rows = readRows(input)[Symbol.asyncIterator]();
    input.write("[0.5,1.5]\n");
    const r0 = await rows.next();
    expect(r0.value?.row).toBe(0);
    expect(Array.from(r0.value!.logits)).toEqual([0.5, 1.5]);
    input.write("[2.5,3.5]\n");
    const r1 = await rows.next();
    expect(r1.value?.row).toBe(1);
    expect(Array.from(r1.value!.logits)).toEqual([2.5, 3.5]);
    input.end();
    expect((await rows.next()).done).toBe(true);
  });

  it("stops without waiting for more input when closed while the input is paused", async () => {
    const input = new PassThrough();
    const it = frameChunks(input)[Symbol.asyncIterator]();
    input.write("[1,2]\n");
    expect((await it.next()).value?.rows).toBe(1);
    // A read of the open stream is pending; closing must not wait for it to complete.
    await it.return(undefined);
    expect(input.writableEnded).toBe(false);
    input.destroy();
  });
});
