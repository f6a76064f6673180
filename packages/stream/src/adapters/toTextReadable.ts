import type { Readable } from "node:stream";
import type { Observable } from "rxjs";
import { type ToReadableOptions, toReadable } from "./toReadable.js";

/**
 * Text events (from `decodeText`, optionally through `stopWhen`) or plain strings → a UTF-8 byte
 * `Readable`, with backpressure through `options.pacer`. Pipe it to `process.stdout` or an HTTP response.
 */
export function toTextReadable(
  events$: Observable<{ text: string } | string>,
  options: ToReadableOptions = {},
): Readable {
  const encoder = new TextEncoder();
  return toReadable(events$, (e) => encoder.encode(typeof e === "string" ? e : e.text), options);
}
