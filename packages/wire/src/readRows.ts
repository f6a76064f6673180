import type { ByteInput } from "./byteSource.js";
import type { ReadOptions, Row } from "./frames.js";
import { readBatches } from "./readBatches.js";

/**
 * Reads any supported input row by row. `logits` is a view into its batch (no copy); batches are
 * never reused, so the view stays valid, but it keeps the whole batch alive. Rows skipped with `onError: "skip"` are left
 * out, and the rows that follow keep their input position as `row`.
 *
 * @example
 * for await (const r of readRows(process.stdin, { format: "f16", vocab: 4 })) console.log(r.row, r.logits);
 */
export async function* readRows(input: ByteInput, opts: ReadOptions = {}): AsyncGenerator<Row> {
  for await (const b of readBatches(input, opts)) {
    const skipped = b.skippedRows === undefined ? null : new Set(b.skippedRows);
    for (let i = 0; i < b.rows; i++) {
      const row = b.firstRow + i;
      if (skipped?.has(row)) continue;
      const r: Row = { row, logits: b.data.subarray(i * b.vocab, (i + 1) * b.vocab) };
      const id = b.ids?.[i];
      if (id !== undefined) r.id = id;
      const t = b.targets?.[i];
      if (t !== undefined && t >= 0) r.target = t;
      const p = b.params?.[i];
      if (p !== undefined) r.params = p;
      yield r;
    }
  }
}
