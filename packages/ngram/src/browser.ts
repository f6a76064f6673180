// The browser-safe surface of @logitstream/ngram (`@logitstream/ngram/browser`): everything but the
// Node file readers (loadModel, readBrownCorpus). Load the model with `modelFromBytes` after a fetch.
export { BpeTokenizer } from "./BpeTokenizer.js";
export { AbortedError, ModelFormatError, TokenIdError } from "./errors.js";
export { decodeModelFile } from "./modelFile.js";
export { modelFromBytes } from "./modelFromBytes.js";
export type { NgramCounts } from "./NgramCounts.js";
export { NgramModel } from "./NgramModel.js";
