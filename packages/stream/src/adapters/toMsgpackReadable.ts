import type { Readable } from "node:stream";
import { encodeRecordMsgpack, type OutputRecord } from "@logitstream/wire";
import type { Observable } from "rxjs";
import type { ToRecordsReadableOptions } from "./toNdjsonReadable.js";
import { toReadable } from "./toReadable.js";
import { toRecord } from "./toRecord.js";

/**
 * Events → a stream of msgpack maps (wire's record encoder: plain msgpack, typed arrays as arrays of
 * numbers) as a byte `Readable`, with backpressure through `options.pacer`.
 */
export function toMsgpackReadable<T extends object>(
  events$: Observable<T>,
  options: ToRecordsReadableOptions<T> = {},
): Readable {
  const map = options.toRecord ?? toRecord;
  return toReadable(events$, (e) => encodeRecordMsgpack(map(e) as OutputRecord), options);
}
