import type { Readable } from "node:stream";
import { encodeRecordLine, type OutputRecord } from "@logitstream/wire";
import type { Observable } from "rxjs";
import { type ToReadableOptions, toReadable } from "./toReadable.js";
import { toRecord } from "./toRecord.js";

/** Options of {@link toNdjsonReadable} and `toMsgpackReadable`. */
export interface ToRecordsReadableOptions<T> extends ToReadableOptions {
  /** Maps an event to the record written. Default: `toRecord` (the fields as they are, `top_logprobs`). */
  toRecord?: (event: T) => object;
}

/**
 * Events → NDJSON (one JSON object per line, wire's record encoder: shortest round-trip numbers,
 * non-finite as null) as a byte `Readable`, with backpressure through `options.pacer`.
 *
 * @example
 * const pacer = createPacer();
 * toNdjsonReadable(generate(model, ids, params, { pacer }).pipe(decodeText(tok)), { pacer }).pipe(process.stdout);
 * // {"step":0,"token":464,"logprob":-1.93,"rank":1,"text":" The"}
 */
export function toNdjsonReadable<T extends object>(
  events$: Observable<T>,
  options: ToRecordsReadableOptions<T> = {},
): Readable {
  const map = options.toRecord ?? toRecord;
  const utf8 = new TextEncoder();
  return toReadable(events$, (e) => utf8.encode(encodeRecordLine(map(e) as OutputRecord)), options);
}
