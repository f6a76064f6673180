import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readTargets, WireError } from "../src/index.js";
import { pieces, utf8 } from "./helpers.js";

/** Every target read, and the error that ended the read (if any). */
async function read(
  input: Parameters<typeof readTargets>[0],
  opts = {},
): Promise<{ targets: number[]; chunks: number[]; error?: WireError }> {
  const targets: number[] = [];
  const chunks: number[] = [];
  try {
    for await (const c of readTargets(input, opts)) {
      chunks.push(c.length);
      targets.push(...c);
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return { targets, chunks, error: e };
  }
  return { targets, chunks };
}

describe("readTargets", () => {
  it("reads integers separated by any ASCII whitespace, with or without a final newline", async () => {
    expect((await read(utf8("3 1\n4\t1\r\n5\f9\v2 6"))).targets).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect((await read(utf8("  7\n\n 8 \n"))).targets).toEqual([7, 8]);
  });

  it("reads nothing from an empty or all-whitespace file", async () => {
    expect(await read(utf8(""))).toEqual({ targets: [], chunks: [] });
    expect(await read(utf8(" \n\t\n"))).toEqual({ targets: [], chunks: [] });
  });

  it("reads -1 as no target, 0 and 2^31 − 1, leading zeros and -0", async () => {
    expect((await read(utf8("-1 0 2147483647 007 -0 -01"))).targets).toEqual([-1, 0, 2147483647, 7, 0, -1]);
  });

  it("puts together numbers split across reads, one byte per read included", async () => {
    const text = "12345 678\n9 100000 -1 42\n";
    for (const size of [1, 2, 3, 7]) {
      expect((await read(pieces(utf8(text), size))).targets).toEqual([12345, 678, 9, 100000, -1, 42]);
    }
  });

  it("yields the targets of each read as it arrives, at most maxChunkTargets per array", async () => {
    const r = await read([utf8("1 2 3 4 5 "), utf8("6 7"), utf8(" 8")], { maxChunkTargets: 2 });
    expect(r.targets).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // 5 targets in the first read → 2 + 2 + 1; "6" ends in the second; "7" only when " " arrives.
    expect(r.chunks).toEqual([2, 2, 1, 1, 1, 1]);
  });

  it("reads a Node stream and skips a UTF-8 byte order mark", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("5 6\n")]);
    expect((await read(Readable.from([bom.subarray(0, 4), bom.subarray(4)]))).targets).toEqual([5, 6]);
  });

  it("names the token index and byte offset of a token that is not an integer, after the targets before it", async () => {
    const r = await read(pieces(utf8("10 20\n3.0 40\n"), 4));
    expect(r.targets).toEqual([10, 20]);
    expect(r.error?.code).toBe("E_WIRE_SYNTAX");
    expect(r.error?.frame).toBe(2);
    expect(r.error?.byteOffset).toBe(6);
    expect(r.error?.message).toContain('"3.0"');
    expect(r.error?.message).toContain("byte offset 6");
  });

  it("rejects signs, exponents, hex, a lone minus and non-ASCII bytes as syntax errors", async () => {
    for (const [text, offset] of [
      ["1 +2", 2],
      ["1 1e3", 2],
      ["0x10", 0],
      ["4 - 5", 2],
      ["4 --1", 2],
      ["1-2", 0],
      ["7 ５", 2],
      ["null", 0],
    ] as const) {
      const r = await read(utf8(text));
      expect(r.error?.code, text).toBe("E_WIRE_SYNTAX");
      expect(r.error?.byteOffset, text).toBe(offset);
    }
  });

  it("rejects negative ids other than -1 and ids of 2^31 or more as out of range", async () => {
    for (const [text, frame, offset] of [
      ["1 -2", 1, 2],
      ["-2147483648", 0, 0],
      ["5 6 2147483648", 2, 4],
      ["99999999999999999999999999", 0, 0],
    ] as const) {
      const r = await read(utf8(text));
      expect(r.error?.code, text).toBe("E_WIRE_FIELD");
      expect(r.error?.frame, text).toBe(frame);
      expect(r.error?.byteOffset, text).toBe(offset);
    }
  });

  it("quotes only the start of a long bad token and stops reading there", async () => {
    let pulled = 0;
    function* endless(): Generator<Uint8Array> {
      yield utf8("1 2 x");
      for (;;) {
        pulled++;
        yield utf8("y".repeat(1000));
      }
    }
    const r = await read(endless());
    expect(r.targets).toEqual([1, 2]);
    expect(r.error?.message).toContain(`"x${"y".repeat(31)}…"`);
    expect(pulled).toBe(1);
  });

  it("rejects an input of strings", async () => {
    const r = await read(["1 2"] as unknown as Iterable<Uint8Array>);
    expect(r.error?.code).toBe("E_WIRE_FORMAT");
  });
});
