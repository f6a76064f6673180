import { Packr } from "msgpackr";
import { encodeElements } from "../binary/encodeElements.js";
import type { BatchLike } from "./batchLike.js";
import { concatBytes } from "./batchLike.js";

// No `moreTypes`: typed arrays would become msgpackr extension types, which our readers reject.
// logits go out as plain `bin` (a Uint8Array) with a `dtype` next to it.
const packr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * Encodes rows as a stream of msgpack maps. `dtype` "f32" (default), "f16", "bf16" writes `logits` as
 * a little-endian bin; "array" as an array of float32 numbers. `rowsPerFrame` > 1 writes batch frames
 * (`rows`, `vocab`, `targets`, `ids`); 1 writes single-row frames (`target`, `id`).
 */
export function encodeMsgpack(
  batch: BatchLike,
  opts: { dtype?: "f32" | "f16" | "bf16" | "array"; rowsPerFrame?: number } = {},
): Uint8Array {
  const dtype = opts.dtype ?? "f32";
  const per = Math.max(1, opts.rowsPerFrame ?? 1);
  const { rows, vocab, data } = batch;
  const frames: Uint8Array[] = [];
  for (let r = 0; r < rows; r += per) {
    const n = Math.min(per, rows - r);
    const m: Record<string, unknown> = {};
    if (dtype === "array") {
      const a = new Array<number>(n * vocab);
      for (let i = 0; i < n * vocab; i++) a[i] = Math.fround(data[r * vocab + i]!);
      m.logits = a;
    } else {
      m.logits = encodeElements(data, r * vocab, n * vocab, dtype);
      if (dtype !== "f32") m.dtype = dtype;
    }
    if (per > 1) {
      m.rows = n;
      m.vocab = vocab;
      if (batch.targets !== undefined)
        m.targets = Array.from({ length: n }, (_, i) =>
          batch.targets![r + i]! >= 0 ? batch.targets![r + i] : null,
        );
      if (batch.ids !== undefined) m.ids = batch.ids.slice(r, r + n);
    } else {
      const t = batch.targets?.[r];
      if (t !== undefined && t >= 0) m.target = t;
      const id = batch.ids?.[r];
      if (id !== undefined) m.id = id;
    }
    const p = batch.params?.[r];
    if (p !== undefined) m.params = p;
    frames.push(Uint8Array.prototype.slice.call(packr.pack(m)));
  }
  return concatBytes(frames);
}
