import { encodeElements } from "../binary/encodeElements.js";
import { WireError } from "../errors.js";
import type { Format } from "../frames.js";
import type { BatchLike } from "./batchLike.js";
import { encodeMsgpack } from "./encodeMsgpack.js";
import { encodeNdjson } from "./encodeNdjson.js";
import { encodeNpyHeader } from "./encodeNpy.js";
import { encodeSafetensorsHeader } from "./encodeSafetensors.js";

/** Options of {@link encodeBatches}. */
export interface EncodeOptions {
  /** Element type for binary formats and msgpack bins ("array" = msgpack array of numbers). */
  dtype?: "f32" | "f16" | "bf16" | "f64" | "array";
  /** msgpack: rows per frame (default 1). */
  rowsPerFrame?: number;
  /** .npy and safetensors headers come first, so they need the total row count up front. */
  rows?: number;
  /** safetensors tensor name (default "logits"). */
  tensor?: string;
}

/**
 * Streaming conversion: encodes batches (from `readBatches`, say) into `format`, one output buffer per
 * batch, so a file of any size converts in bounded memory. For npy/safetensors give `rows`; a
 * different actual count is an error at the end.
 *
 * @example
 * await pipeline(Readable.from(encodeBatches(readBatches(inp), "npy", { rows: 1000 })), out);
 */
export async function* encodeBatches(
  batches: AsyncIterable<BatchLike> | Iterable<BatchLike>,
  format: Format,
  opts: EncodeOptions = {},
): AsyncGenerator<Uint8Array> {
  let written = 0;
  let vocab = -1;
  const dtype = opts.dtype;
  const nowhere = { frame: -1, byteOffset: -1 };
  for await (const b of batches) {
    if (vocab < 0) {
      vocab = b.vocab;
      if (format === "npy" || format === "safetensors") {
        if (opts.rows === undefined)
          throw new WireError(
            "E_WIRE_FORMAT",
            `${format} output needs the total row count (rows) up front`,
            nowhere,
          );
        const d = dtype ?? "f32";
        if (d === "array" || (format === "npy" && d === "bf16"))
          throw new WireError("E_WIRE_DTYPE", `${format} cannot hold dtype ${d}`, nowhere);
        yield format === "npy"
          ? encodeNpyHeader([opts.rows, vocab], d as "f32" | "f16" | "f64")
          : encodeSafetensorsHeader({ [opts.tensor ?? "logits"]: { dtype: d, shape: [opts.rows, vocab] } });
      }
    } else if (b.vocab !== vocab) {
      throw new WireError("E_WIRE_VOCAB", `batch with vocabulary ${b.vocab} after ${vocab}`, {
        frame: written,
        byteOffset: -1,
      });
    }
    switch (format) {
      case "ndjson":
        yield encodeNdjson(b, { firstRow: written });
        break;
      case "msgpack": {
        const d = dtype ?? "f32";
        if (d === "f64")
          throw new WireError("E_WIRE_DTYPE", "msgpack logits are f32, f16, bf16 or an array", nowhere);
        yield encodeMsgpack(b, { dtype: d, rowsPerFrame: opts.rowsPerFrame ?? 1 });
        break;
      }
      case "f32":
      case "f16":
      case "bf16":
        yield encodeElements(b.data, 0, b.rows * b.vocab, format);
        break;
      default:
        yield encodeElements(b.data, 0, b.rows * b.vocab, (dtype ?? "f32") as "f32");
    }
    written += b.rows;
  }
  if ((format === "npy" || format === "safetensors") && opts.rows !== undefined && written !== opts.rows) {
    throw new WireError(
      "E_WIRE_FORMAT",
      `${format} header promised ${opts.rows} rows but ${written} were written`,
      nowhere,
    );
  }
}
