// Public surface of @logitstream/ngram: named re-exports only (docs/CONVENTIONS.md).

// The abort error is core's (one class for every package, so `instanceof` holds across them).
export { AbortedError } from "@logitstream/core";
export { BpeTokenizer } from "./BpeTokenizer.js";
export { brownText } from "./brownText.js";
export type { CountOptions } from "./countNgrams.js";
export { countNgrams } from "./countNgrams.js";
export { ModelFormatError, TokenIdError } from "./errors.js";
export { kneserNeyDiscounts } from "./kneserNeyDiscounts.js";
export { DEFAULT_MODEL_URL, loadModel } from "./loadModel.js";
export { decodeModelFile, encodeModelFile } from "./modelFile.js";
export { modelFromBytes } from "./modelFromBytes.js";
export type { NgramCounts } from "./NgramCounts.js";
export { NgramModel } from "./NgramModel.js";
export { pruneNgrams } from "./pruneNgrams.js";
export type { BrownDocument } from "./readBrownCorpus.js";
export { readBrownCorpus } from "./readBrownCorpus.js";
export type { TrainOptions } from "./trainModel.js";
export { trainModel } from "./trainModel.js";
