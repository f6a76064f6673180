import { describe, expect, it } from "vitest";
import { countNgrams } from "../src/countNgrams.js";
import { ModelFormatError } from "../src/errors.js";
import { decodeModelFile, encodeModelFile } from "../src/modelFile.js";
import { NgramModel } from "../src/NgramModel.js";
import { pruneNgrams } from "../src/pruneNgrams.js";
import { TINY, TINY_V, trieEntries } from "./tinyCorpus.js";

function randomStream(n: number, V: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor(V * (s / 2 ** 32) ** 2);
  });
}

describe("encodeModelFile / decodeModelFile", () => {
  it("round-trips a pruned order-4 model exactly: same counts, same file bytes, bit-identical rows", () => {
    const V = 70000; // token gaps and counts above 127 need multi-byte varints
    const stream = randomStream(30000, V, 99);
    for (let i = 0; i < 400; i++) stream.push(69999, 1, 2); // a count > 127
    const counts = pruneNgrams(countNgrams(stream, { order: 4, vocabSize: V, eosId: 1 }), 2);
    const bytes = encodeModelFile(counts);
    const back = decodeModelFile(bytes);
    expect(JSON.stringify([...trieEntries(back)])).toBe(JSON.stringify([...trieEntries(counts)]));
    expect(Array.from(back.discounts)).toEqual(Array.from(counts.discounts));
    expect(Array.from(back.prunedMass ?? [])).toEqual(Array.from(counts.prunedMass ?? []));
    expect(back.minCount).toBe(2);
    expect(Buffer.from(encodeModelFile(back)).equals(Buffer.from(bytes))).toBe(true);
    const a = new NgramModel(counts);
    const b = new NgramModel(back);
    for (const ctx of [[], [69999, 1], stream.slice(100, 103), [5, 6, 7]]) {
      const rowA = Buffer.from(Float32Array.from(a.next(ctx)).buffer);
      const rowB = Buffer.from(b.next(ctx).buffer);
      expect(rowB.equals(rowA)).toBe(true);
    }
  });

  it("round-trips an unpruned model and an order-1 model", () => {
    for (const order of [1, 3]) {
      const counts = countNgrams(TINY, { order, vocabSize: TINY_V, eosId: 0 });
      const back = decodeModelFile(encodeModelFile(counts));
      expect(trieEntries(back)).toEqual(trieEntries(counts));
      expect(back.prunedMass).toBeNull();
    }
  });

  it("rejects a file that is not a model, is truncated, or has a flipped payload byte, naming the byte offset", () => {
    const bytes = encodeModelFile(countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0 }));
    expect(() => decodeModelFile(new TextEncoder().encode("hello, this is not a model file at all"))).toThrow(
      ModelFormatError,
    );
    expect(() => decodeModelFile(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    const flipped = bytes.slice();
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] as number) ^ 1;
    let caught: unknown;
    try {
      decodeModelFile(flipped);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModelFormatError);
    expect((caught as ModelFormatError).byteOffset).toBe(32); // the checksum field
  });

  it("rejects a malformed payload whose checksum is right (a truncated level, a token past V), naming the byte offset", () => {
    const counts = countNgrams(TINY, { order: 3, vocabSize: TINY_V, eosId: 0 });
    const bytes = encodeModelFile(counts);
    const headerBytes = 36 + 24 * 3 + 4 * 3;
    /** The file with its payload replaced, header length and FNV-1a checksum made to match. */
    const withPayload = (payload: Uint8Array): Uint8Array => {
      const out = new Uint8Array(headerBytes + payload.length);
      out.set(bytes.subarray(0, headerBytes));
      out.set(payload, headerBytes);
      let h = 0x811c9dc5;
      for (const b of payload) h = Math.imul(h ^ b, 0x01000193);
      const dv = new DataView(out.buffer);
      dv.setUint32(28, payload.length, true);
      dv.setUint32(32, h >>> 0, true);
      return out;
    };
    const payload = bytes.slice(headerBytes);
    const cases: [Uint8Array, RegExp][] = [
      // The last level loses its last 3 bytes: fewer entries than announced, or a number cut short.
      [payload.subarray(0, payload.length - 3), /truncated|entries, the header announces/],
      // Level 0 cut inside its V counts: the reader runs out of payload.
      [payload.subarray(0, TINY_V - 2), /truncated|more entries than|entries, the header announces/],
      // A continuation bit on every byte of a count: a varint longer than 5 bytes.
      [Uint8Array.from(payload, (b, i) => (i < 8 ? b | 0x80 : b)), /malformed/],
    ];
    for (const [bad, message] of cases) {
      let caught: unknown;
      try {
        decodeModelFile(withPayload(bad));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ModelFormatError);
      expect((caught as Error).message).toMatch(message);
      const at = (caught as ModelFormatError).byteOffset;
      expect(at).toBeGreaterThanOrEqual(headerBytes);
      expect(at).toBeLessThanOrEqual(headerBytes + bad.length);
    }
    // A first child token gap past V in level 1: "outside the vocabulary".
    const big = withPayload(Uint8Array.from([...payload.subarray(0, TINY_V), 1, 0x80 | 0x7f, 0x7f, 1]));
    expect(() => decodeModelFile(big)).toThrow(/token 16383 is outside the vocabulary/);
  });
});
