/**
 * Structural scan of one msgpack value (a frame): finds where it ends without building it, so the
 * framer can cut chunks on the main thread cheaply and the decoder can hand msgpackr only bytes that
 * are known to be complete, bounded and free of extension types.
 *
 * - Extension types (fixext/ext 8/16/32) are never instantiated: the scan records a problem and the
 *   frame is rejected (msgpackr would otherwise build Dates, Errors, RegExps, records… from them).
 * - Containers nest at most {@link MAX_DEPTH} deep; lengths are checked against the frame limit before
 *   anything waits for or allocates their bytes.
 * - The top-level map's `rows`, `vocab`, `dtype` and `logits` headers are noted on the way, so the
 *   framer knows how many rows a frame holds without decoding it.
 */

export const MAX_DEPTH = 32;

/** What the scan learned about a frame. Reset by {@link scanMsgpackFrame}. */
export interface MsgpackFrameInfo {
  /** Offset just past the frame. */
  end: number;
  /** A problem that makes the frame invalid while its extent is still known (skippable), or "". */
  problem: string;
  /** Top-level `rows`/`vocab`: -1 absent, -2 present but not a non-negative integer. */
  rowsField: number;
  vocabField: number;
  /** Top-level `dtype` string, or null. */
  dtype: string | null;
  /** 0 no `logits`, 1 bin (length in bytes), 2 array (length in elements), 3 another type. */
  logitsKind: number;
  logitsLength: number;
}

export function newFrameInfo(): MsgpackFrameInfo {
  return { end: 0, problem: "", rowsField: -1, vocabField: -1, dtype: null, logitsKind: 0, logitsLength: 0 };
}

/** A byte sequence that is not msgpack (or too deep): the stream cannot be resynchronised after it. */
export class MsgpackScanError extends Error {
  constructor(
    readonly pos: number,
    readonly problem: string,
    readonly limit = false,
  ) {
    super(problem);
  }
}

/** Returned when the bytes end inside the frame. */
export const NEED_MORE = -1;

class NeedMore {}
const NEED = new NeedMore();

let src: Uint8Array = new Uint8Array(0);
let srcEnd = 0;
let limit = 0;
let info: MsgpackFrameInfo = newFrameInfo();

/**
 * Scans the frame starting at `pos`. Returns its end offset (also in `out.end`), or {@link NEED_MORE}
 * when `b` ends before it does. Throws {@link MsgpackScanError} for bytes that are not msgpack, for
 * nesting deeper than {@link MAX_DEPTH}, or when the frame would exceed `maxFrameBytes`.
 */
export function scanMsgpackFrame(
  b: Uint8Array,
  pos: number,
  end: number,
  maxFrameBytes: number,
  out: MsgpackFrameInfo,
): number {
  src = b;
  srcEnd = end;
  limit = pos + maxFrameBytes;
  info = out;
  out.end = 0;
  out.problem = "";
  out.rowsField = -1;
  out.vocabField = -1;
  out.dtype = null;
  out.logitsKind = 0;
  out.logitsLength = 0;
  try {
    const c = byteAt(pos);
    let p: number;
    if ((c & 0xf0) === 0x80 || c === 0xde || c === 0xdf) p = scanTopMap(pos);
    else {
      // A bare array of numbers or a bare bin is one row of logits, as a bare NDJSON array is.
      const bare = (c & 0xf0) === 0x90 || c === 0xdc || c === 0xdd || (c >= 0xc4 && c <= 0xc6);
      if (bare) noteLogits(pos);
      p = skip(pos, 0);
      if (!bare && out.problem === "") {
        out.problem = 'a frame must be a msgpack map with a "logits" key, an array of numbers or a bin';
      }
    }
    out.end = p;
    return p;
  } catch (e) {
    if (e === NEED) return NEED_MORE;
    throw e;
  } finally {
    src = new Uint8Array(0);
  }
}

function byteAt(p: number): number {
  if (p >= srcEnd) {
    if (p >= limit) throw new MsgpackScanError(p, "frame larger than maxFrameBytes", true);
    throw NEED;
  }
  return src[p]!;
}

/** Checks that `n` more bytes from `p` fit the limit and are present. */
function need(p: number, n: number): void {
  if (p + n > limit) throw new MsgpackScanError(p, "frame larger than maxFrameBytes", true);
  if (p + n > srcEnd) throw NEED;
}

function u16(p: number): number {
  need(p, 2);
  return (src[p]! << 8) | src[p + 1]!;
}

function u32(p: number): number {
  need(p, 4);
  return ((src[p]! << 24) >>> 0) + ((src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!);
}

/** Notes the kind (bin, array, other) and length of the logits value at `v`. */
function noteLogits(v: number): void {
  const t = byteAt(v);
  if (t === 0xc4) info.logitsLength = byteAt(v + 1);
  else if (t === 0xc5) info.logitsLength = u16(v + 1);
  else if (t === 0xc6) info.logitsLength = u32(v + 1);
  else if ((t & 0xf0) === 0x90) info.logitsLength = t & 0x0f;
  else if (t === 0xdc) info.logitsLength = u16(v + 1);
  else if (t === 0xdd) info.logitsLength = u32(v + 1);
  info.logitsKind = t >= 0xc4 && t <= 0xc6 ? 1 : (t & 0xf0) === 0x90 || t === 0xdc || t === 0xdd ? 2 : 3;
}

function scanTopMap(pos: number): number {
  const c = src[pos]!;
  let count: number;
  let p: number;
  if (c === 0xde) {
    count = u16(pos + 1);
    p = pos + 3;
  } else if (c === 0xdf) {
    count = u32(pos + 1);
    p = pos + 5;
  } else {
    count = c & 0x0f;
    p = pos + 1;
  }
  if (count * 2 > limit - p)
    throw new MsgpackScanError(pos, "map claims more entries than maxFrameBytes can hold", true);
  for (let i = 0; i < count; i++) {
    const key = readShortString(p);
    p = skip(p, 1);
    const vStart = p;
    if (key === "logits") {
      noteLogits(vStart);
    } else if (key === "rows" || key === "vocab") {
      const v = readUint(vStart);
      if (key === "rows") info.rowsField = v;
      else info.vocabField = v;
    } else if (key === "dtype") {
      info.dtype = readShortString(vStart) ?? "";
    }
    p = skip(vStart, 1);
  }
  return p;
}

/** A str of at most 16 bytes at `p` (keys and dtypes we care about), else null. */
function readShortString(p: number): string | null {
  const c = byteAt(p);
  let len: number;
  let s: number;
  if ((c & 0xe0) === 0xa0) {
    len = c & 0x1f;
    s = p + 1;
  } else if (c === 0xd9) {
    len = byteAt(p + 1);
    s = p + 2;
  } else return null;
  if (len > 16) return null;
  need(s, len);
  let out = "";
  for (let i = 0; i < len; i++) out += String.fromCharCode(src[s + i]!);
  return out;
}

/** A non-negative integer at `p`, or -2 when the value is of another type. */
function readUint(p: number): number {
  const c = byteAt(p);
  if (c <= 0x7f) return c;
  if (c === 0xcc) return byteAt(p + 1);
  if (c === 0xcd) return u16(p + 1);
  if (c === 0xce) return u32(p + 1);
  return -2;
}

function skip(p: number, depth: number): number {
  const c = byteAt(p);
  if (c <= 0x7f || c >= 0xe0) return p + 1;
  if (c <= 0x8f) return skipItems(p + 1, (c & 0x0f) * 2, depth, p);
  if (c <= 0x9f) return skipItems(p + 1, c & 0x0f, depth, p);
  if (c <= 0xbf) return skipBytes(p + 1, c & 0x1f);
  switch (c) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return p + 1;
    case 0xc1:
      throw new MsgpackScanError(p, "byte 0xc1 is never used in msgpack; the stream is corrupt");
    case 0xc4:
    case 0xd9:
      return skipBytes(p + 2, byteAt(p + 1));
    case 0xc5:
    case 0xda:
      return skipBytes(p + 3, u16(p + 1));
    case 0xc6:
    case 0xdb:
      return skipBytes(p + 5, u32(p + 1));
    case 0xc7:
      return extension(p, p + 3 + byteAt(p + 1));
    case 0xc8:
      return extension(p, p + 4 + u16(p + 1));
    case 0xc9:
      return extension(p, p + 6 + u32(p + 1));
    case 0xca:
      return skipBytes(p + 1, 4);
    case 0xcb:
      return skipBytes(p + 1, 8);
    case 0xcc:
    case 0xd0:
      return skipBytes(p + 1, 1);
    case 0xcd:
    case 0xd1:
      return skipBytes(p + 1, 2);
    case 0xce:
    case 0xd2:
      return skipBytes(p + 1, 4);
    case 0xcf:
    case 0xd3:
      return skipBytes(p + 1, 8);
    case 0xd4:
      return extension(p, p + 3);
    case 0xd5:
      return extension(p, p + 4);
    case 0xd6:
      return extension(p, p + 6);
    case 0xd7:
      return extension(p, p + 10);
    case 0xd8:
      return extension(p, p + 18);
    case 0xdc:
      return skipItems(p + 3, u16(p + 1), depth, p);
    case 0xdd:
      return skipItems(p + 5, u32(p + 1), depth, p);
    case 0xde:
      return skipItems(p + 3, u16(p + 1) * 2, depth, p);
    default: // 0xdf
      return skipItems(p + 5, u32(p + 1) * 2, depth, p);
  }
}

function extension(p: number, end: number): number {
  if (info.problem === "") {
    info.problem = `msgpack extension type ${`0x${src[p]!.toString(16)}`} is not accepted; send plain maps, arrays, numbers, strings and bin`;
  }
  need(end, 0);
  return end;
}

function skipBytes(p: number, n: number): number {
  need(p, n);
  return p + n;
}

function skipItems(p: number, n: number, depth: number, at: number): number {
  if (depth >= MAX_DEPTH)
    throw new MsgpackScanError(at, `msgpack values nest deeper than ${MAX_DEPTH} levels`);
  if (n > limit - p)
    throw new MsgpackScanError(at, "container claims more elements than maxFrameBytes can hold", true);
  const end = srcEnd;
  const b = src;
  for (let i = 0; i < n; i++) {
    // Inline the common elements of a logits array (float32, float64, fixints); anything else, and
    // any element that runs past the buffer, goes through skip(), which reports NEED_MORE or limits.
    const c = p < end ? b[p]! : -1;
    if (c === 0xca && p + 5 <= end) p += 5;
    else if (c === 0xcb && p + 9 <= end) p += 9;
    else if (c >= 0 && (c <= 0x7f || c >= 0xe0)) p += 1;
    else p = skip(p, depth + 1);
  }
  return p;
}
