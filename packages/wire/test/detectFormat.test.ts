import { describe, expect, it } from "vitest";
import {
  detectFormat,
  encodeMsgpack,
  encodeNpy,
  encodeSafetensors,
  formatFromPath,
  WireError,
} from "../src/index.js";
import { collect, utf8 } from "./helpers.js";

describe("detectFormat", () => {
  it("tells each format from its first bytes", () => {
    const b = { rows: 1, vocab: 2, data: new Float32Array([1, 2]) };
    expect(detectFormat(encodeNpy(b))).toBe("npy");
    expect(detectFormat(encodeSafetensors({ t: { batch: b } }))).toBe("safetensors");
    expect(detectFormat(encodeMsgpack(b))).toBe("msgpack");
    expect(detectFormat(utf8("  [1, 2]\n"))).toBe("ndjson");
    expect(detectFormat(utf8('\ufeff{"logits": [1]}'))).toBe("ndjson");
    expect(detectFormat(new Uint8Array(0))).toBe("ndjson");
  });

  it("says it cannot tell, showing the bytes, for anything else", () => {
    expect(() => detectFormat(new Uint8Array([0x00, 0x3c, 0x00, 0x40, 1, 2, 3, 4, 5]))).toThrow(
      /cannot tell the input format.*00 3c 00 40/,
    );
    expect(() => detectFormat(utf8("hello world"))).toThrow(WireError);
  });

  it("lets readers detect the format, and reads an empty input as no rows", async () => {
    const { rows } = await collect(encodeNpy({ rows: 2, vocab: 1, data: new Float32Array([1, 2]) }));
    expect(rows).toHaveLength(2);
    expect(await collect(new Uint8Array(0))).toEqual({ rows: [] });
    expect((await collect(new Uint8Array([7, 7, 7]))).error).toMatchObject({ code: "E_WIRE_FORMAT" });
  });

  it("maps file extensions to formats", () => {
    expect(formatFromPath("a/b.npy")).toBe("npy");
    expect(formatFromPath("x.SAFETENSORS")).toBe("safetensors");
    expect(formatFromPath("x.jsonl")).toBe("ndjson");
    expect(formatFromPath("x.bf16")).toBe("bf16");
    expect(formatFromPath("x.bin")).toBeNull();
  });

  it("requires a vocabulary for raw formats", async () => {
    expect((await collect(new Uint8Array(8), { format: "f32" })).error).toMatchObject({
      code: "E_WIRE_FORMAT",
    });
  });
});
