import { ModelFormatError } from "./errors.js";
import type { NgramCounts } from "./NgramCounts.js";

const MAGIC = 0x474e534c; // "LSNG" little-endian
const VERSION = 1;
const FLAG_PRUNED = 1;

/**
 * Serializes a count trie into the compact model file format (version 1, little-endian).
 *
 * Layout: a fixed header — magic `"LSNG"`, u32 version, order N, vocabulary V, eos id, minCount,
 * flags (bit 0: pruned mass present), payload length, FNV-1a 32-bit checksum of the payload — then
 * 3N float64 discounts and N u32 entry counts per level; then the payload as unsigned LEB128 varints:
 * the V level-0 counts, and for each level L ≥ 1, for each parent node in order: [its pruned mass,
 * top level only, when pruned], its number of children, and per child the gap to the previous child's
 * token (token − previous − 1, starting from −1) and its count. Integers only, so a file decodes to the
 * same counts — and the same model — bit for bit.
 *
 * @returns the file bytes
 */
export function encodeModelFile(counts: NgramCounts): Uint8Array {
  const N = counts.order;
  const headerBytes = 36 + 24 * N + 4 * N;
  const w = new VarintWriter(1 << 20);
  const c0 = counts.counts[0] as Uint32Array;
  for (let t = 0; t < counts.vocabSize; t++) w.uint(c0[t] as number);
  for (let L = 1; L < N; L++) {
    const st = counts.starts[L - 1] as Uint32Array;
    const words = counts.words[L] as Int32Array;
    const cl = counts.counts[L] as Uint32Array;
    const pruned = L === N - 1 ? counts.prunedMass : null;
    for (let j = 0; j + 1 < st.length; j++) {
      const lo = st[j] as number;
      const hi = st[j + 1] as number;
      if (pruned !== null) w.uint(pruned[j] as number);
      w.uint(hi - lo);
      let prev = -1;
      for (let i = lo; i < hi; i++) {
        const t = words[i] as number;
        w.uint(t - prev - 1);
        w.uint(cl[i] as number);
        prev = t;
      }
    }
  }
  const payload = w.bytes();
  const out = new Uint8Array(headerBytes + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, N, true);
  dv.setUint32(12, counts.vocabSize, true);
  dv.setUint32(16, counts.eosId, true);
  dv.setUint32(20, counts.minCount, true);
  dv.setUint32(24, counts.prunedMass !== null ? FLAG_PRUNED : 0, true);
  dv.setUint32(28, payload.length, true);
  dv.setUint32(32, fnv1a(payload), true);
  for (let i = 0; i < 3 * N; i++) dv.setFloat64(36 + 8 * i, counts.discounts[i] as number, true);
  for (let L = 0; L < N; L++)
    dv.setUint32(36 + 24 * N + 4 * L, (counts.counts[L] as Uint32Array).length, true);
  out.set(payload, headerBytes);
  return out;
}

/**
 * Reads a model file written by `encodeModelFile` back into its count trie.
 * @throws ModelFormatError naming the byte offset when the file is not a version-1 model or is damaged
 */
export function decodeModelFile(bytes: Uint8Array): NgramCounts {
  if (bytes.length < 36)
    throw new ModelFormatError(-1, `${bytes.length} bytes is shorter than the 36-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC)
    throw new ModelFormatError(0, 'missing the "LSNG" magic: not a logitstream n-gram model');
  const version = dv.getUint32(4, true);
  if (version !== VERSION)
    throw new ModelFormatError(
      4,
      `version ${version} is not supported (this reader reads version ${VERSION})`,
    );
  const N = dv.getUint32(8, true);
  const V = dv.getUint32(12, true);
  const eosId = dv.getUint32(16, true);
  const minCount = dv.getUint32(20, true);
  const flags = dv.getUint32(24, true);
  const payloadLength = dv.getUint32(28, true);
  if (N < 1 || N > 16) throw new ModelFormatError(8, `order ${N} is outside [1, 16]`);
  if (V < 1 || eosId >= V)
    throw new ModelFormatError(12, `vocabulary ${V} / eos id ${eosId} are inconsistent`);
  const headerBytes = 36 + 24 * N + 4 * N;
  if (bytes.length !== headerBytes + payloadLength) {
    throw new ModelFormatError(
      28,
      `file has ${bytes.length} bytes, the header announces ${headerBytes + payloadLength} (truncated or padded)`,
    );
  }
  const payload = bytes.subarray(headerBytes);
  if (fnv1a(payload) !== dv.getUint32(32, true))
    throw new ModelFormatError(32, "payload checksum mismatch (the file is corrupted)");
  const discounts = new Float64Array(3 * N);
  for (let i = 0; i < 3 * N; i++) discounts[i] = dv.getFloat64(36 + 8 * i, true);
  const sizes: number[] = [];
  for (let L = 0; L < N; L++) sizes.push(dv.getUint32(36 + 24 * N + 4 * L, true));
  if (sizes[0] !== V)
    throw new ModelFormatError(36 + 24 * N, `level 0 has ${sizes[0]} entries, expected V = ${V}`);

  // One pass over the payload, one level at a time. The checksum already vouches for the bytes, so the
  // loops do not bounds-check every read: a read past the end gives `undefined`, which decodes as 0 and
  // ends the number, and the structural checks after each parent and level name where a file that
  // passed the checksum but is malformed goes wrong.
  const counts: Uint32Array[] = [];
  const words: Int32Array[] = [new Int32Array(0)];
  const starts: Uint32Array[] = [];
  const c0 = new Uint32Array(V);
  let pos = readUints(payload, 0, c0, headerBytes);
  counts.push(c0);
  const pruned = (flags & FLAG_PRUNED) !== 0 && N >= 2 ? new Uint32Array(sizes[N - 2] as number) : null;
  for (let L = 1; L < N; L++) {
    const parents = sizes[L - 1] as number;
    const m = sizes[L] as number;
    const level: Level = {
      L,
      starts: new Uint32Array(parents + 1),
      words: new Int32Array(m),
      counts: new Uint32Array(m),
      pruned: L === N - 1 ? pruned : null,
    };
    pos = readLevel(payload, pos, level, V, headerBytes);
    starts.push(level.starts);
    words.push(level.words);
    counts.push(level.counts);
  }
  if (pos !== payload.length)
    throw new ModelFormatError(headerBytes + pos, "trailing bytes after the last level");
  return { order: N, vocabSize: V, eosId, discounts, counts, words, starts, prunedMass: pruned, minCount };
}

/** FNV-1a, 32 bit: a cheap integrity check against truncation and bit rot (not a cryptographic hash). */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

class VarintWriter {
  #buf: Uint8Array;
  #len = 0;
  constructor(capacity: number) {
    this.#buf = new Uint8Array(capacity);
  }
  uint(v: number): void {
    if (this.#len + 5 > this.#buf.length) {
      const next = new Uint8Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    let x = v >>> 0;
    while (x >= 0x80) {
      this.#buf[this.#len++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.#buf[this.#len++] = x;
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** One level L ≥ 1 of the trie being decoded (see `NgramCounts`); `pruned` only for the top level of a pruned model. */
interface Level {
  readonly L: number;
  readonly starts: Uint32Array;
  readonly words: Int32Array;
  readonly counts: Uint32Array;
  readonly pruned: Uint32Array | null;
}

/**
 * Reads `out.length` unsigned LEB128 varints (≤ 32 bits) from `pos`; returns the position after them.
 * `base` turns payload positions into file offsets for errors.
 */
function readUints(buf: Uint8Array, pos: number, out: Uint32Array, base: number): number {
  for (let i = 0; i < out.length; i++) {
    let b = buf[pos++] as number;
    let x = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      if (shift > 28) throw new ModelFormatError(base + pos, "malformed varint (more than 5 bytes)");
      b = buf[pos++] as number;
      x |= (b & 0x7f) << shift;
    }
    out[i] = x >>> 0;
  }
  if (pos > buf.length)
    throw new ModelFormatError(base + buf.length, "payload ends inside a number (truncated)");
  return pos;
}

/**
 * Reads one level's children lists from `pos`: per parent [pruned mass,] the number of children, then
 * per child its token gap and count. Returns the position after the level. The varint reads are
 * written out in the loop (no call per number): this loop decodes ~1 M entries on every model load,
 * usually before the JIT has optimized anything, so each call and indirection costs.
 */
function readLevel(buf: Uint8Array, pos: number, level: Level, V: number, base: number): number {
  const { L, starts: st, words: wl, counts: cl, pruned } = level;
  const m = wl.length;
  const parents = st.length - 1;
  let e = 0;
  for (let j = 0; j < parents; j++) {
    st[j] = e;
    let b: number;
    let x: number;
    if (pruned !== null) {
      b = buf[pos++] as number;
      x = b & 0x7f;
      for (let shift = 7; b >= 0x80; shift += 7) {
        if (shift > 28) throw new ModelFormatError(base + pos, "malformed varint (more than 5 bytes)");
        b = buf[pos++] as number;
        x |= (b & 0x7f) << shift;
      }
      pruned[j] = x >>> 0;
    }
    b = buf[pos++] as number;
    x = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      if (shift > 28) throw new ModelFormatError(base + pos, "malformed varint (more than 5 bytes)");
      b = buf[pos++] as number;
      x |= (b & 0x7f) << shift;
    }
    const end = e + (x >>> 0);
    if (end > m)
      throw new ModelFormatError(base + pos, `level ${L} has more entries than the ${m} announced`);
    // Most entries are two one-byte varints (token gap, count).
    let prev = -1;
    for (; e < end; e++) {
      b = buf[pos++] as number;
      x = b & 0x7f;
      for (let shift = 7; b >= 0x80; shift += 7) {
        if (shift > 28) throw new ModelFormatError(base + pos, "malformed varint (more than 5 bytes)");
        b = buf[pos++] as number;
        x |= (b & 0x7f) << shift;
      }
      prev += 1 + (x >>> 0);
      wl[e] = prev;
      b = buf[pos++] as number;
      x = b & 0x7f;
      for (let shift = 7; b >= 0x80; shift += 7) {
        if (shift > 28) throw new ModelFormatError(base + pos, "malformed varint (more than 5 bytes)");
        b = buf[pos++] as number;
        x |= (b & 0x7f) << shift;
      }
      cl[e] = x >>> 0;
    }
    if (pos > buf.length)
      throw new ModelFormatError(base + buf.length, "payload ends inside a number (truncated)");
    if (prev >= V) throw new ModelFormatError(base + pos, `token ${prev} is outside the vocabulary of ${V}`);
  }
  st[parents] = e;
  if (e !== m)
    throw new ModelFormatError(base + pos, `level ${L} has ${e} entries, the header announces ${m}`);
  return pos;
}
