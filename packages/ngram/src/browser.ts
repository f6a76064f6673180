// The browser-safe surface of @logitstream/ngram (`@logitstream/ngram/browser`): everything but the
// Node file readers (loadModel, readBrownCorpus). Load the model with `modelFromBytes` after a fetch.

// The abort error is core's (one class for every package, so `instanceof` holds across them).
export { AbortedError } from "@logitstream/core";
export { BpeTokenizer } from "./BpeTokenizer.js";
export { ModelFormatError, TokenIdError } from "./errors.js";
export { decodeModelFile } from "./modelFile.js";
export { modelFromBytes } from "./modelFromBytes.js";
export type { NgramCounts } from "./NgramCounts.js";
export { NgramModel } from "./NgramModel.js";
