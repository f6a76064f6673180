import { Packr } from "msgpackr";
import { WireError } from "../errors.js";
import { MAX_ID_DEPTH, valueDepth } from "../valueDepth.js";
import type { OutputRecord } from "./records.js";

// Plain msgpack only: no records extension (readers elsewhere must not need msgpackr), compact maps.
const packr = new Packr({ useRecords: false, variableMapSize: true });
const utf8 = new TextEncoder();

function plainArray(a: ArrayLike<number>): number[] {
  return Array.isArray(a) ? a : Array.from(a);
}

/** The record as a plain JSON-able object: typed arrays become arrays, absent fields (and `skip`) are left out. */
function toPlain(r: OutputRecord, skip?: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined || k === skip) continue;
    if (k === "id" && typeof v === "object" && valueDepth(v) > MAX_ID_DEPTH) {
      // The serializers below recurse per level: refuse before they overflow the stack.
      const row = (r as { row?: unknown }).row;
      throw new WireError(
        "E_WIRE_RECORD",
        `output record of row ${String(row)}: id nests arrays/objects deeper than ${MAX_ID_DEPTH} levels`,
        { frame: typeof row === "number" ? row : -1, byteOffset: -1 },
      );
    }
    o[k] = ArrayBuffer.isView(v) ? plainArray(v as unknown as ArrayLike<number>) : v;
  }
  return o;
}

/**
 * One record as one NDJSON line (with its "\n"). Numbers use JSON.stringify's shortest round-trip
 * form, so output is deterministic; a non-finite number (a -Infinity log-probability of a banned
 * token in `softmax --log`) is written as null, the JSON convention. `probs`/`logprobs` are written last, as
 * the record's final field.
 */
export function encodeRecordLine(r: OutputRecord): string {
  const arr =
    (r as { probs?: ArrayLike<number>; logprobs?: ArrayLike<number> }).probs ??
    (r as { logprobs?: ArrayLike<number> }).logprobs;
  if (arr !== undefined) {
    const key = (r as { probs?: unknown }).probs !== undefined ? "probs" : "logprobs";
    const rest = toPlain(r, key);
    // JSON.stringify writes the shortest round-trip forms, and non-finite numbers as null, natively.
    const body = JSON.stringify(Array.isArray(arr) ? arr : Array.from(arr));
    const head = JSON.stringify(rest);
    return `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"${key}":${body}}\n`;
  }
  return `${JSON.stringify(toPlain(r))}\n`;
}

/** One record as one msgpack map (plain msgpack, no extensions; typed arrays become arrays of numbers). */
export function encodeRecordMsgpack(r: OutputRecord): Uint8Array {
  // Copied: msgpackr may hand out views of a buffer it reuses, and a queued stream write must not change.
  return Uint8Array.prototype.slice.call(packr.pack(toPlain(r)));
}

/**
 * Encodes records of the CLI contract as NDJSON (one line each) or msgpack (one map each).
 * Deterministic: the same records give the same bytes.
 *
 * @example
 * new TextDecoder().decode(encodeRecords([{ row: 0, token: 7, logprob: -0.25 }], "ndjson"));
 * // '{"row":0,"token":7,"logprob":-0.25}\n'
 */
export function encodeRecords(records: Iterable<OutputRecord>, format: "ndjson" | "msgpack"): Uint8Array {
  if (format === "ndjson") {
    // One string, one UTF-8 encode: far cheaper than encoding and concatenating line by line.
    let text = "";
    for (const r of records) text += encodeRecordLine(r);
    return utf8.encode(text);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const r of records) {
    const p = encodeRecordMsgpack(r);
    parts.push(p);
    size += p.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
