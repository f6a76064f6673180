import type { ResultHeader } from "./taskData.js";

/** A task's result as the coordinator reads it back. */
export interface TaskResult {
  header: ResultHeader;
  /** Output records of the task's rows, in row order. */
  bytes: Uint8Array;
  /** Score jobs: −logprob of each scored row, in row order. */
  nll: Float64Array;
}

/**
 * One Redis binary value per result: `u32 header length (LE) | header JSON | record bytes | nll f64s`.
 * One value, so a result is stored and read in one round trip and is either wholly there or absent.
 *
 * @param header the result's header (its `bytes` and `nll` counts must match the arrays)
 * @example decodeResult(encodeResult(h, bytes, nll)) // { header: h, bytes, nll }
 */
export function encodeResult(header: ResultHeader, bytes: Uint8Array, nll: Float64Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const out = Buffer.allocUnsafe(4 + json.length + bytes.length + nll.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  out.set(bytes, 4 + json.length);
  out.set(new Uint8Array(nll.buffer, nll.byteOffset, nll.byteLength), 4 + json.length + bytes.length);
  return out;
}

/** Reads a value written by {@link encodeResult}. */
export function decodeResult(value: Buffer): TaskResult {
  const n = value.readUInt32LE(0);
  const header = JSON.parse(value.toString("utf8", 4, 4 + n)) as ResultHeader;
  const start = 4 + n;
  const bytes = value.subarray(start, start + header.bytes);
  // Copied out: the float64 view needs an 8-byte-aligned offset.
  const nll = new Float64Array(header.nll);
  new Uint8Array(nll.buffer).set(value.subarray(start + header.bytes, start + header.bytes + header.nll * 8));
  return { header, bytes, nll };
}
