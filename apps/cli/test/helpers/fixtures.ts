// Independent encoders for the wire formats, written from the format specs (not from @logitstream/wire),
// so the end-to-end tests check the CLI's reading against bytes made another way.

/** Rows as NDJSON arrays, one per line. */
export function ndjsonArrays(rows: readonly (readonly number[])[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/** Rows as NDJSON objects `{"logits": [...], "id"?, "target"?}`. */
export function ndjsonObjects(
  frames: readonly { logits: readonly number[]; id?: unknown; target?: number }[],
): string {
  return frames.map((f) => `${JSON.stringify(f)}\n`).join("");
}

/** Contiguous little-endian float32 rows. */
export function rawF32(rows: readonly (readonly number[])[]): Uint8Array {
  const f = new Float32Array(rows.flat());
  return new Uint8Array(f.buffer);
}

/** IEEE 754 binary16 bits of a number that is exactly representable in half precision (or ±Infinity). */
export function halfBits(x: number): number {
  if (x === Number.NEGATIVE_INFINITY) return 0xfc00;
  if (x === Number.POSITIVE_INFINITY) return 0x7c00;
  if (Number.isNaN(x)) return 0x7e00;
  if (x === 0) return Object.is(x, -0) ? 0x8000 : 0;
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  if (e < -14) throw new Error(`test fixture: ${x} is subnormal in float16`);
  const mant = a / 2 ** e - 1;
  const m = mant * 1024;
  if (!Number.isInteger(m) || e > 15) throw new Error(`test fixture: ${x} is not exact in float16`);
  return sign | ((e + 15) << 10) | m;
}

/** Contiguous little-endian float16 rows (values must be exact in float16). */
export function rawF16(rows: readonly (readonly number[])[]): Uint8Array {
  const flat = rows.flat();
  const out = new Uint8Array(flat.length * 2);
  const dv = new DataView(out.buffer);
  flat.forEach((v, i) => {
    dv.setUint16(i * 2, halfBits(v), true);
  });
  return out;
}

/** Contiguous little-endian bfloat16 rows: the high half of each float32 (values must be exact in bf16). */
export function rawBf16(rows: readonly (readonly number[])[]): Uint8Array {
  const flat = rows.flat();
  const f = new Float32Array(flat);
  const u = new Uint32Array(f.buffer);
  const out = new Uint8Array(flat.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < flat.length; i++) {
    if ((u[i]! & 0xffff) !== 0) throw new Error(`test fixture: ${flat[i]} is not exact in bfloat16`);
    dv.setUint16(i * 2, u[i]! >>> 16, true);
  }
  return out;
}

/** A .npy file (format version 1.0), shape (rows, V), dtype `<f4`, `<f2` or `<f8`. */
export function npy(rows: readonly (readonly number[])[], descr: "<f4" | "<f2" | "<f8" = "<f4"): Uint8Array {
  const v = rows[0]?.length ?? 0;
  const data =
    descr === "<f4"
      ? rawF32(rows)
      : descr === "<f2"
        ? rawF16(rows)
        : new Uint8Array(new Float64Array(rows.flat()).buffer);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows.length}, ${v}), }`;
  const unpadded = 10 + header.length + 1;
  header += `${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** A safetensors file with one or more F32 tensors of shape (rows, V). */
export function safetensors(tensors: Record<string, readonly (readonly number[])[]>): Uint8Array {
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, rows] of Object.entries(tensors)) {
    const bytes = rawF32(rows);
    header[name] = {
      dtype: "F32",
      shape: [rows.length, rows[0]?.length ?? 0],
      data_offsets: [offset, offset + bytes.length],
    };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// A minimal msgpack encoder (spec: github.com/msgpack/msgpack/blob/master/spec.md) for the frames
// the tests need: maps with string keys, strings, integers, float64, bin, arrays.
type Packable = string | number | Uint8Array | Packable[] | { [k: string]: Packable };

function pack(v: Packable, out: number[]): void {
  if (typeof v === "string") {
    const b = new TextEncoder().encode(v);
    if (b.length < 32) out.push(0xa0 | b.length);
    else out.push(0xd9, b.length);
    out.push(...b);
  } else if (typeof v === "number") {
    if (Number.isInteger(v) && v >= 0 && v < 128) out.push(v);
    else if (Number.isInteger(v) && v < 0 && v >= -32) out.push(v & 0xff);
    else if (Number.isInteger(v) && v >= 0 && v < 2 ** 32)
      out.push(0xce, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, false);
      out.push(0xcb, ...b);
    }
  } else if (v instanceof Uint8Array) {
    if (v.length < 256) out.push(0xc4, v.length);
    else if (v.length < 65536) out.push(0xc5, v.length >> 8, v.length & 0xff);
    else
      out.push(
        0xc6,
        (v.length >>> 24) & 0xff,
        (v.length >>> 16) & 0xff,
        (v.length >>> 8) & 0xff,
        v.length & 0xff,
      );
    out.push(...v);
  } else if (Array.isArray(v)) {
    if (v.length < 16) out.push(0x90 | v.length);
    else out.push(0xdc, v.length >> 8, v.length & 0xff);
    for (const x of v) pack(x, out);
  } else {
    const entries = Object.entries(v);
    out.push(0x80 | entries.length);
    for (const [k, x] of entries) {
      pack(k, out);
      pack(x, out);
    }
  }
}

/** A stream of msgpack maps. */
export function msgpackFrames(frames: readonly { [k: string]: Packable }[]): Uint8Array {
  const out: number[] = [];
  for (const f of frames) pack(f, out);
  return new Uint8Array(out);
}

/** Any msgpack values, one after the other (e.g. bare arrays or bins as frames). */
export function msgpackValues(values: readonly Packable[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) pack(v, out);
  return new Uint8Array(out);
}

/** One msgpack frame per row: `{logits: bin(f32 LE)}` plus extra keys. */
export function msgpackRows(
  rows: readonly (readonly number[])[],
  extra: (i: number) => { [k: string]: Packable } = () => ({}),
): Uint8Array {
  return msgpackFrames(rows.map((r, i) => ({ logits: rawF32([r]), ...extra(i) })));
}

/** A minimal msgpack decoder for the CLI's `--output msgpack` records (maps, arrays, str, numbers, nil, bool). */
export function unpackAll(bytes: Uint8Array): unknown[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const str = (n: number): string => {
    const s = new TextDecoder().decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const map = (n: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = String(one());
      o[k] = one();
    }
    return o;
  };
  const arr = (n: number): unknown[] => Array.from({ length: n }, () => one());
  const one = (): unknown => {
    const t = bytes[at++]!;
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 256;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    const skip = (n: number): number => {
      const p = at;
      at += n;
      return p;
    };
    const u8 = (): number => bytes[skip(1)]!;
    const u16 = (): number => dv.getUint16(skip(2));
    const u32 = (): number => dv.getUint32(skip(4));
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xca:
        return dv.getFloat32(skip(4));
      case 0xcb:
        return dv.getFloat64(skip(8));
      case 0xcc:
        return u8();
      case 0xcd:
        return u16();
      case 0xce:
        return u32();
      case 0xcf:
        return Number(dv.getBigUint64(skip(8)));
      case 0xd0:
        return dv.getInt8(skip(1));
      case 0xd1:
        return dv.getInt16(skip(2));
      case 0xd2:
        return dv.getInt32(skip(4));
      case 0xd3:
        return Number(dv.getBigInt64(skip(8)));
      case 0xd9:
        return str(u8());
      case 0xda:
        return str(u16());
      case 0xdb:
        return str(u32());
      case 0xdc:
        return arr(u16());
      case 0xdd:
        return arr(u32());
      case 0xde:
        return map(u16());
      case 0xdf:
        return map(u32());
      default:
        throw new Error(`unpackAll: msgpack type 0x${t.toString(16)} not handled by the test decoder`);
    }
  };
  const out: unknown[] = [];
  while (at < bytes.length) out.push(one());
  return out;
}
