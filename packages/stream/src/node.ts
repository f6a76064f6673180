// Public surface of @logitstream/stream/node: the adapters between RxJS and Node streams (they import
// node:stream and wire's readers, so they live apart from the browser-safe main entry).

export type { FromReadableOptions } from "./adapters/fromReadable.js";
export { fromReadable, fromReadableBatches } from "./adapters/fromReadable.js";
export { toMsgpackReadable } from "./adapters/toMsgpackReadable.js";
export type { ToRecordsReadableOptions } from "./adapters/toNdjsonReadable.js";
export { toNdjsonReadable } from "./adapters/toNdjsonReadable.js";
export type { ToReadableOptions } from "./adapters/toReadable.js";
export { toTextReadable } from "./adapters/toTextReadable.js";
