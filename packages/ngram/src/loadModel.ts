import { readFileSync } from "node:fs";
import { decodeModelFile } from "./modelFile.js";
import { NgramModel } from "./NgramModel.js";

/** The model file shipped in this package (built by `pnpm --filter @logitstream/ngram train`). */
export const DEFAULT_MODEL_URL: URL = new URL("../model/brown-cl100k-3gram.lsng", import.meta.url);

/**
 * Loads an n-gram model file — by default the embedded one: an order-3 interpolated modified
 * Kneser-Ney model over cl100k_base (V = 100,277, eos = `<|endoftext|>` = 100257) trained on the
 * Brown corpus; pair it with `BpeTokenizer`. Takes tens of milliseconds (see BENCHMARKS.md).
 *
 * @param file a path or file URL of a `.lsng` model (default: `DEFAULT_MODEL_URL`)
 * @throws ModelFormatError when the file is not a valid model
 */
export function loadModel(file: string | URL = DEFAULT_MODEL_URL): NgramModel {
  return new NgramModel(decodeModelFile(readFileSync(file)));
}
