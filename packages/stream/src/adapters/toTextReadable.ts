import type { Readable } from "node:stream";
import type { Observable } from "rxjs";
import { isFinishEvent } from "../isFinishEvent.js";
import type { FinishEvent } from "../types.js";
import { type ToReadableOptions, toReadable } from "./toReadable.js";

/**
 * Text events (from `decodeText`, optionally through `stopWhen`) or plain strings → a UTF-8 byte
 * `Readable`, with backpressure through `options.pacer`. Pipe it to `process.stdout` or an HTTP response.
 * A generation's finish event writes nothing.
 */
export function toTextReadable(
  events$: Observable<{ text: string } | string | FinishEvent>,
  options: ToReadableOptions = {},
): Readable {
  const encoder = new TextEncoder();
  const none = new Uint8Array(0);
  return toReadable(
    events$,
    (e) => (typeof e === "string" ? encoder.encode(e) : isFinishEvent(e) ? none : encoder.encode(e.text)),
    options,
  );
}
