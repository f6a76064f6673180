import { type ByteInput, type ReadOptions, type Row, readRows, WireError } from "../src/index.js";

/** Reads everything, copying rows, and returns them with the error that ended the read (if any). */
export async function collect(
  input: ByteInput,
  opts: ReadOptions = {},
): Promise<{ rows: Row[]; error?: WireError }> {
  const rows: Row[] = [];
  try {
    for await (const r of readRows(input, opts)) rows.push({ ...r, logits: r.logits.slice() });
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return { rows, error: e };
  }
  return { rows };
}

/** Splits bytes into pieces of `size` (the way a pipe delivers them). */
export function pieces(b: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.slice(i, i + size));
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A deterministic pseudo-random batch (xorshift; no Math.random). */
export function makeBatch(
  rows: number,
  vocab: number,
  seed = 1,
): { rows: number; vocab: number; data: Float32Array } {
  let s = seed >>> 0 || 1;
  const data = new Float32Array(rows * vocab);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 20;
  }
  return { rows, vocab, data };
}
