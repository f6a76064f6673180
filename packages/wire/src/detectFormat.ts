import { isNpyMagic } from "./binary/parseNpyHeader.js";
import { WireError } from "./errors.js";
import type { Format } from "./frames.js";

/**
 * Tells the format from the first bytes of an input: the .npy magic, a safetensors header (an 8-byte
 * little-endian length below 2^32 followed by "{"), a msgpack map byte (0x80–0x8f, 0xde, 0xdf), or
 * "[" / "{" after optional whitespace (NDJSON). Returns null when `b` is too short to decide yet
 * (`final` false); throws a WireError when it cannot tell. Raw f32/f16/bf16 cannot be detected.
 */
export function detectFormat(b: Uint8Array, final = true): Format | null {
  if (b.length >= 6 && isNpyMagic(b)) return "npy";
  if (b.length < 9 && !final) return null;
  if (b.length >= 9 && b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0 && b[8] === 0x7b)
    return "safetensors";
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (i >= b.length) {
    if (!final) return null;
    return "ndjson"; // empty or only whitespace: an empty NDJSON stream
  }
  const c = b[i]!;
  if (i === 0 && ((c & 0xf0) === 0x80 || c === 0xde || c === 0xdf)) return "msgpack";
  if (c === 0x5b || c === 0x7b) return "ndjson";
  const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ");
  throw new WireError(
    "E_WIRE_FORMAT",
    `cannot tell the input format from its first bytes (${hex}); pass a format (ndjson, msgpack, npy, safetensors, or f32/f16/bf16 with a vocabulary size)`,
    { frame: -1, byteOffset: 0 },
  );
}

/** The format a file name suggests (`.npy`, `.safetensors`, `.ndjson`/`.jsonl`, `.msgpack`/`.mpk`, `.f32`/`.f16`/`.bf16`), or null. */
export function formatFromPath(path: string): Format | null {
  const m = /\.([a-z0-9]+)$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  switch (ext) {
    case "npy":
      return "npy";
    case "safetensors":
      return "safetensors";
    case "ndjson":
    case "jsonl":
    case "json":
      return "ndjson";
    case "msgpack":
    case "mpk":
      return "msgpack";
    case "f32":
    case "f16":
    case "bf16":
      return ext;
    default:
      return null;
  }
}
