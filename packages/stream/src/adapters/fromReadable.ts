import type { Readable } from "node:stream";
import { type ReadOptions, type Row, type RowBatch, readBatches, readRows } from "@logitstream/wire";
import type { Observable } from "rxjs";
import type { Pacer } from "../pacer.js";
import { fromAsyncIterable } from "./fromAsyncIterable.js";

/** Options of {@link fromReadable}: wire's `ReadOptions` (format, vocab, tensor, …) plus pacing. */
export interface FromReadableOptions extends ReadOptions {
  /** Backpressure from a sink: nothing more is read while it is paused. */
  pacer?: Pacer | undefined;
}

/**
 * Logit rows from a Node byte stream (stdin, a file, a socket) in any wire format — NDJSON, msgpack, raw
 * f32/f16/bf16, .npy, safetensors — as a cold `Observable` of rows (`{ row, logits, id?, target? }`),
 * read with wire's streaming `readRows`: memory stays bounded, the next bytes are read only when the
 * previous row was emitted (and the pacer, if any, is not paused). A malformed frame is wire's typed
 * error, after the rows before it. Unsubscribing stops reading and destroys the stream.
 *
 * `fromReadableBatches` does the same with wire's `readBatches` (`RowBatch` frames of many rows).
 */
export function fromReadable(
  input: Readable | AsyncIterable<Uint8Array>,
  options: FromReadableOptions = {},
): Observable<Row> {
  const { pacer, ...read } = options;
  return fromAsyncIterable({ [Symbol.asyncIterator]: () => readRows(input, read) }, { pacer });
}

/** As {@link fromReadable}, emitting wire's `RowBatch` frames (`maxBatchRows` rows at most each). */
export function fromReadableBatches(
  input: Readable | AsyncIterable<Uint8Array>,
  options: FromReadableOptions = {},
): Observable<RowBatch> {
  const { pacer, ...read } = options;
  return fromAsyncIterable({ [Symbol.asyncIterator]: () => readBatches(input, read) }, { pacer });
}
