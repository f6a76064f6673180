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
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new ModelFormatError(-1, "the gzip stream is damaged", { cause: error });
    }
  }
  return new NgramModel(decodeModelFile(bytes));
}
