import { WireError } from "../errors.js";
import type { BatchLike } from "./batchLike.js";

const utf8 = new TextEncoder();

/** A logit as JSON: the shortest round-trip form; -Infinity (a banned token) as -1e999, which JSON.parse reads back as -Infinity. */
function logitText(x: number, row: number, i: number): string {
  if (Number.isFinite(x)) return String(x);
  if (x === Number.NEGATIVE_INFINITY) return "-1e999";
  if (x === Number.POSITIVE_INFINITY) return "1e999";
  throw new WireError("E_WIRE_VALUE", `row ${row}, index ${i} is NaN, which NDJSON cannot represent`, {
    frame: row,
    byteOffset: -1,
  });
}

/**
 * Encodes rows as NDJSON: a bare array per row, or `{"logits": [...], "id", "target", "params"}`
 * objects when the batch has ids, targets or params (or `objects: true`). `firstRow` only numbers
 * rows in error messages.
 */
export function encodeNdjson(
  batch: BatchLike,
  opts: { objects?: boolean; firstRow?: number } = {},
): Uint8Array {
  return utf8.encode(encodeNdjsonText(batch, opts));
}

function encodeNdjsonText(batch: BatchLike, opts: { objects?: boolean; firstRow?: number } = {}): string {
  const { rows, vocab, data } = batch;
  const objects =
    opts.objects === true ||
    batch.ids !== undefined ||
    batch.targets !== undefined ||
    batch.params !== undefined;
  const first = opts.firstRow ?? 0;
  const lines: string[] = [];
  const parts: string[] = new Array(vocab);
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let finite = true;
    for (let i = 0; i < vocab; i++) {
      if (!Number.isFinite(data[o + i]!)) {
        finite = false;
        break;
      }
    }
    let arr: string;
    // All finite (the usual case): the engine's JSON.stringify writes the same shortest forms, natively.
    if (finite) arr = JSON.stringify(Array.from({ length: vocab }, (_, i) => data[o + i]!));
    else {
      for (let i = 0; i < vocab; i++) parts[i] = logitText(data[o + i]!, first + r, i);
      arr = `[${parts.join(",")}]`;
    }
    if (!objects) {
      lines.push(arr);
      continue;
    }
    let line = `{"logits":${arr}`;
    const id = batch.ids?.[r];
    if (id !== undefined) line += `,"id":${JSON.stringify(id)}`;
    const t = batch.targets?.[r];
    if (t !== undefined && t >= 0) line += `,"target":${t}`;
    const p = batch.params?.[r];
    if (p !== undefined) line += `,"params":${JSON.stringify(p)}`;
    lines.push(`${line}}`);
  }
  return rows === 0 ? "" : `${lines.join("\n")}\n`;
}
