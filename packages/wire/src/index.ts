// Public surface of @logitstream/wire: named re-exports only (docs/CONVENTIONS.md).
// Browser-safe: nothing here imports a Node module. The Node stream adapters (createBatchStream,
// createRowStream, createRecordWriter, createRecordEncoder) are at "@logitstream/wire/node"; the
// worker-side subset (decodeChunk and its types) is also at "@logitstream/wire/decode".

// Core's type (declared once there), re-exported where users imported it before.
export type { TopLogprob } from "@logitstream/core";
export { bfloat16BitsToNumber, numberToBfloat16Bits } from "./binary/bfloat16.js";
export { decodeElements } from "./binary/decodeElements.js";
export { encodeElements } from "./binary/encodeElements.js";
// Element types
export { float16BitsToNumber, float16Table, numberToFloat16Bits } from "./binary/float16.js";
export type { NpyHeader } from "./binary/parseNpyHeader.js";
export { npyHeaderSize, parseNpyHeader } from "./binary/parseNpyHeader.js";
export type { SafetensorsTensor } from "./binary/parseSafetensorsHeader.js";
export { parseSafetensorsHeader, safetensorsHeaderSize } from "./binary/parseSafetensorsHeader.js";
export type { ByteInput, ByteReader } from "./byteSource.js";
export { decodeChunk, decodeChunkPrefix } from "./decodeChunk.js";
export type { DecodedChunk } from "./decodedChunk.js";
// Reading
export { detectFormat, formatFromPath } from "./detectFormat.js";
// Input encoders (rows → bytes)
export type { BatchLike } from "./encode/batchLike.js";
export type { EncodeOptions } from "./encode/encodeBatches.js";
export { encodeBatches } from "./encode/encodeBatches.js";
export { encodeMsgpack } from "./encode/encodeMsgpack.js";
export { encodeNdjson } from "./encode/encodeNdjson.js";
export { encodeNpy, encodeNpyHeader } from "./encode/encodeNpy.js";
export { encodeRaw } from "./encode/encodeRaw.js";
export type { SafetensorsEntry } from "./encode/encodeSafetensors.js";
export { encodeSafetensors, encodeSafetensorsHeader } from "./encode/encodeSafetensors.js";
export type { WireErrorCode } from "./errors.js";
export { WireError } from "./errors.js";
export type { FillableInput, FillResult } from "./fillableInput.js";
export { frameChunks } from "./frameChunks.js";
export type { FrameParams } from "./frameParams.js";
export { validateFrameParams } from "./frameParams.js";
export type { ByteChunk, Dtype, Format, ReadOptions, Row, RowBatch } from "./frames.js";
export { DTYPE_BYTES } from "./frames.js";
export { scanNumberArray } from "./ndjson/scanNumberArray.js";
export { readBatches } from "./readBatches.js";
export { readRows } from "./readRows.js";
export type { ReadTargetsOptions } from "./readTargets.js";
export { MAX_TARGET, readTargets } from "./readTargets.js";
export { encodeRecordLine, encodeRecordMsgpack, encodeRecords } from "./records/encodeRecords.js";
export type {
  EntropyRecord,
  OutputRecord,
  RecordKind,
  SampleRecord,
  ScoreRecord,
  SoftmaxRecord,
  SummaryRecord,
  TopProb,
} from "./records/records.js";
// Output records
export { validateRecord } from "./records/records.js";
export { MAX_ID_DEPTH } from "./valueDepth.js";
