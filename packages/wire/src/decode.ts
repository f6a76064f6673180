// Lean worker-side entry, "@logitstream/wire/decode": decoding chunks cut by frameChunks, nothing else.
// It imports no Node streams and no rxjs (only msgpackr's decoder and core's error base class), so a
// piscina worker that loads it starts fast.

export { decodeChunk, decodeChunkPrefix } from "./decodeChunk.js";
export type { DecodedChunk, DecodeOptions } from "./decodedChunk.js";
export type { WireErrorCode } from "./errors.js";
export { WireError } from "./errors.js";
export type { FrameParams } from "./frameParams.js";
export type { ByteChunk, Dtype, Format, RowBatch } from "./frames.js";
