import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { ModelFormatError } from "./errors.js";
import { decodeModelFile } from "./modelFile.js";
import { NgramModel } from "./NgramModel.js";

/** The model file shipped in this package (built by `pnpm --filter @logitstream/ngram train`). */
export const DEFAULT_MODEL_URL: URL = new URL("../model/brown-cl100k-3gram.lsng.gz", import.meta.url);

/**
 * Loads an n-gram model file — by default the embedded one: an order-3 interpolated modified
 * Kneser-Ney model over cl100k_base (V = 100,277, eos = `<|endoftext|>` = 100257) trained on the
 * Brown corpus; pair it with `BpeTokenizer`. A gzip-compressed file (as shipped) is inflated first.
 * Costs about 0.1 s of CPU: backoff weights are computed lazily per context (see BENCHMARKS.md).
 *
 * @param file a path or file URL of a `.lsng` or `.lsng.gz` model (default: `DEFAULT_MODEL_URL`)
 * @throws ModelFormatError when the file is not a valid model
 */
export function loadModel(file: string | URL = DEFAULT_MODEL_URL): NgramModel {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, inflateOptions(bytes));
    } catch (error) {
      throw new ModelFormatError(-1, "the gzip stream is damaged", { cause: error });
    }
  }
  return new NgramModel(decodeModelFile(bytes));
}

/**
 * Inflates into one buffer of the right size when the gzip trailer's size field (ISIZE, the input size
 * mod 2^32) is plausible: zlib's default 16 KiB chunks would be allocated one by one and then copied
 * into the result, touching the 2.4 MB model twice — and writing fresh memory is a large part of the
 * load (each new page is a fault for the kernel to fill). zlib still checks ISIZE and the CRC, so a
 * wrong field only costs that optimization.
 */
function inflateOptions(gz: Uint8Array): { chunkSize: number } | undefined {
  if (gz.length < 18) return undefined;
  const size = new DataView(gz.buffer, gz.byteOffset + gz.length - 4, 4).getUint32(0, true);
  return size >= 64 && size < 1 << 28 ? { chunkSize: size + 1 } : undefined;
}
