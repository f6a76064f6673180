// Public surface of @logitstream/core: named re-exports only (see CONVENTIONS.md).
export { EmptyCandidatesError, InvalidLogitsError, InvalidParamsError, LogitstreamError } from "./errors.js";
export type { AbortSignalLike, LogitSource, Tokenizer } from "./types.js";
export { checkRow } from "./checkRow.js";
