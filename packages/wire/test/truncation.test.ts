import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { encodeNpy, encodeRaw, encodeSafetensors, type ReadOptions } from "../src/index.js";
import { collect, makeBatch, pieces, utf8 } from "./helpers.js";

// Every prefix of a valid stream must end in one of two ways: a clean end exactly at a frame boundary
// with every complete row delivered, or a WireError naming the first incomplete frame and its byte
// offset, with every row before it delivered.

const packr = new Packr({ useRecords: false, variableMapSize: true });
const batch = makeBatch(5, 3, 99);
const rowsOf = (n: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(batch.data.subarray(i * 3, i * 3 + 3)));

interface Layout {
  bytes: Uint8Array;
  /** Byte offsets where frame i starts, and the end of the last frame. */
  starts: number[];
  /** Rows held by frame i. */
  frameRows: number[];
  /** A prefix ending here is a clean end (besides frame starts). */
  cleanAlso?: number[];
  opts?: ReadOptions;
}

async function checkEveryPrefix(l: Layout, headerEnd = 0, mustBeComplete = false): Promise<void> {
  const total = l.bytes.length;
  const problems: string[] = [];
  for (let len = 0; len <= total; len++) {
    const { rows, error } = await collect(pieces(l.bytes.subarray(0, len), 7), l.opts);
    const got = rows.map((r) => Array.from(r.logits));
    // Frames fully inside the prefix (a frame "ends" at the next start, or earlier for cleanAlso ends).
    let complete = 0;
    let rowsComplete = 0;
    while (complete < l.frameRows.length) {
      const end = l.starts[complete + 1]!;
      const early = l.cleanAlso?.[complete];
      if (len >= end || (early !== undefined && len >= early)) {
        rowsComplete += l.frameRows[complete]!;
        complete++;
      } else break;
    }
    const atBoundary =
      len === total ||
      (!mustBeComplete && len >= headerEnd && (l.starts.includes(len) || (l.cleanAlso ?? []).includes(len)));
    const expectRows = JSON.stringify(rowsOf(rowsComplete));
    if (JSON.stringify(got) !== expectRows)
      problems.push(`len ${len}: rows ${got.length}, expected ${rowsComplete}`);
    if (atBoundary && error !== undefined) problems.push(`len ${len}: unexpected error ${error.message}`);
    if (!atBoundary) {
      if (error === undefined) problems.push(`len ${len}: expected an error`);
      else if (len < headerEnd) {
        if (error.frame !== -1)
          problems.push(`len ${len}: header error should have frame -1, got ${error.frame}`);
      } else if (error.frame !== complete || error.byteOffset !== l.starts[complete]) {
        problems.push(
          `len ${len}: error at frame ${error.frame}/${error.byteOffset}, expected ${complete}/${l.starts[complete]}`,
        );
      }
    }
  }
  expect(problems).toEqual([]);
}

describe("truncated input", () => {
  it("NDJSON: every prefix ends cleanly at a line end or names the cut line", async () => {
    const lines = rowsOf(5).map((r, i) =>
      i % 2 ? JSON.stringify({ logits: r, id: i, target: 1 }) : JSON.stringify(r),
    );
    const text = `${lines.join("\n")}\n`;
    const starts = [0];
    const cleanAlso: number[] = [];
    for (const line of lines) {
      cleanAlso.push(starts[starts.length - 1]! + line.length);
      starts.push(starts[starts.length - 1]! + line.length + 1);
    }
    await checkEveryPrefix({ bytes: utf8(text), starts, frameRows: [1, 1, 1, 1, 1], cleanAlso });
  });

  it("NDJSON: a last line cut inside its array or object is reported as truncation", async () => {
    for (const text of ["[1,2]\n[3,4", '[1,2]\n{"logits":[3,4]', "[1,2]\n[3,"]) {
      const { rows, error } = await collect(utf8(text));
      expect(rows).toHaveLength(1);
      expect(error, text).toMatchObject({ code: "E_WIRE_TRUNCATED", frame: 1, byteOffset: 6 });
    }
    expect((await collect(utf8("[1,2]\n[3,x]"))).error).toMatchObject({ code: "E_WIRE_SYNTAX", frame: 1 });
  });

  it("msgpack: every prefix ends cleanly at a frame boundary or names the cut frame", async () => {
    const f32 = (a: number, n: number) => new Uint8Array(batch.data.slice(a * 3, (a + n) * 3).buffer);
    const frames = [
      packr.pack({ logits: f32(0, 1), id: "a" }),
      packr.pack({ logits: f32(1, 2), rows: 2, vocab: 3, targets: [0, 2] }),
      packr.pack({ logits: Array.from(batch.data.subarray(9, 12)) }),
      packr.pack({ logits: f32(4, 1), target: 1, params: { topP: 0.5 } }),
    ].map((p) => Uint8Array.prototype.slice.call(p) as Uint8Array);
    const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    const starts = [0];
    for (const f of frames) {
      bytes.set(f, starts[starts.length - 1]!);
      starts.push(starts[starts.length - 1]! + f.length);
    }
    await checkEveryPrefix({ bytes, starts, frameRows: [1, 2, 1, 1] });
  });

  it("raw f32: every prefix ends cleanly at a row boundary or names the cut row", async () => {
    const bytes = encodeRaw(batch, "f32");
    const starts = [0, 12, 24, 36, 48, 60];
    await checkEveryPrefix({ bytes, starts, frameRows: [1, 1, 1, 1, 1], opts: { format: "f32", vocab: 3 } });
  });

  it(".npy: every prefix is an error (header, or the rows the header promises), except the whole file", async () => {
    const bytes = encodeNpy(batch);
    const h = 128;
    const starts = [h, h + 12, h + 24, h + 36, h + 48, h + 60];
    await checkEveryPrefix({ bytes, starts, frameRows: [1, 1, 1, 1, 1], opts: { format: "npy" } }, h, true);
  });

  it("safetensors: every prefix is an error, except the whole file", async () => {
    const bytes = encodeSafetensors({ logits: { batch } });
    const h = bytes.length - 60;
    const starts = [h, h + 12, h + 24, h + 36, h + 48, h + 60];
    await checkEveryPrefix(
      { bytes, starts, frameRows: [1, 1, 1, 1, 1], opts: { format: "safetensors" } },
      h,
      true,
    );
  });
});
