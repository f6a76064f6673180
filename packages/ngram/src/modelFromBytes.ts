import { ModelFormatError } from "./errors.js";
import { decodeModelFile } from "./modelFile.js";
import { NgramModel } from "./NgramModel.js";

/**
 * Builds a model from the bytes of a `.lsng` or `.lsng.gz` file — the browser's way in (after a `fetch`
 * or a `File`), and Node's too. A gzip stream (as the package ships the model) is inflated with the
 * standard `DecompressionStream`, which browsers and Node (≥ 18) both have, so nothing here needs Node.
 *
 * @param bytes - The file's bytes (gzip-compressed or not).
 * @returns The model.
 * @throws {ModelFormatError} when the bytes are not a valid model (or a damaged gzip stream).
 * @example
 * ```ts
 * const res = await fetch(new URL("brown-cl100k-3gram.lsng.gz", location.href));
 * const model = await modelFromBytes(new Uint8Array(await res.arrayBuffer()));
 * model.vocabSize; // 100277
 * ```
 */
export async function modelFromBytes(bytes: Uint8Array): Promise<NgramModel> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
    } catch (error) {
      throw new ModelFormatError(-1, "the gzip stream is damaged", { cause: error });
    }
  }
  return new NgramModel(decodeModelFile(bytes));
}
