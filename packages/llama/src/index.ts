// Public surface of @logitstream/llama: named re-exports only.
// The abort error is core's (one class for every package, so `instanceof` holds across them).
export { AbortedError } from "@logitstream/core";
export {
  ContextOverflowError,
  EvaluationError,
  ModelDisposedError,
  ModelLoadError,
  TokenIdError,
} from "./errors.js";
export type { EvaluateOptions, LogitBatch } from "./GgufModel.js";
export { GgufModel } from "./GgufModel.js";
export type { LoadGgufModelOptions } from "./loadGgufModel.js";
export { loadGgufModel } from "./loadGgufModel.js";
export { TOKEN_ATTR, tokenPieceBytes } from "./tokenPieceBytes.js";
