import { Readable } from "node:stream";
import type { ByteInput } from "./byteSource.js";
import type { ReadOptions } from "./frames.js";
import { readBatches } from "./readBatches.js";
import { readRows } from "./readRows.js";

/**
 * The readers as Node object-mode Readables. A slow consumer pauses the reading (highWaterMark of
 * 2 objects), so memory stays bounded; a read error is emitted as the stream's 'error'.
 */
export function createBatchStream(input: ByteInput, opts: ReadOptions = {}): Readable {
  return Readable.from(readBatches(input, opts), { objectMode: true, highWaterMark: 2 });
}

/** Rows as a Node object-mode Readable (see {@link createBatchStream}). */
export function createRowStream(input: ByteInput, opts: ReadOptions = {}): Readable {
  return Readable.from(readRows(input, opts), { objectMode: true, highWaterMark: 16 });
}
