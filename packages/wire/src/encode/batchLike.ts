import type { FrameParams } from "../frameParams.js";

/** What the encoders take: `rows × vocab` row-major values, with optional per-row fields (a RowBatch fits). */
export interface BatchLike {
  rows: number;
  vocab: number;
  data: ArrayLike<number>;
  ids?: readonly unknown[];
  targets?: ArrayLike<number>;
  params?: readonly (FrameParams | undefined)[];
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
