// Public surface of @logitstream/wire/node: the adapters between wire and Node streams (they import
// node:stream / node:events, so they live apart from the browser-safe main entry).

export { createBatchStream, createRowStream } from "./nodeStreams.js";
export type { RecordWriter } from "./records/createRecordWriter.js";
export { createRecordEncoder, createRecordWriter } from "./records/createRecordWriter.js";
