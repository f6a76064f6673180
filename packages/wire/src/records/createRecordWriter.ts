import { once } from "node:events";
import { Transform } from "node:stream";
import { WireError } from "../errors.js";
import { encodeRecordLine, encodeRecordMsgpack } from "./encodeRecords.js";
import type { OutputRecord } from "./records.js";

/** A streaming writer of output records (see {@link createRecordWriter}). */
export interface RecordWriter {
  /** Queues a record; resolves at once unless the destination is full, then when it has drained. */
  write(record: OutputRecord): Promise<void>;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and, unless `{ end: false }` was given, ends the destination and waits for 'finish'. */
  end(): Promise<void>;
}

const utf8 = new TextEncoder();

/**
 * Writes records of the CLI contract to a Node writable (stdout, a file, a socket) as NDJSON or
 * msgpack. Records are gathered into writes of about `flushBytes` (default 64 KiB), and whenever the
 * destination reports it is full (`write()` returns false) the writer waits for 'drain': a slow
 * consumer pauses the producer instead of letting memory grow. A destination error (EPIPE from a
 * closed pipe, ENOSPC…) rejects the pending and every later call with that error.
 *
 * @example
 * const w = createRecordWriter(process.stdout, "ndjson", { end: false });
 * for (const r of records) await w.write(r);
 * await w.end();
 */
export function createRecordWriter(
  destination: NodeJS.WritableStream,
  format: "ndjson" | "msgpack",
  opts: { flushBytes?: number; end?: boolean } = {},
): RecordWriter {
  if (format !== "ndjson" && format !== "msgpack") {
    throw new WireError(
      "E_WIRE_FORMAT",
      `output format must be "ndjson" or "msgpack", not ${JSON.stringify(format)}`,
      { frame: -1, byteOffset: -1 },
    );
  }
  const flushBytes = opts.flushBytes ?? 65536;
  let parts: Uint8Array[] = [];
  let text = "";
  let size = 0;
  let failure: unknown = null;
  const onError = (e: unknown): void => {
    failure ??= e;
  };
  destination.on("error", onError);

  const waitDrain = async (): Promise<void> => {
    const ac = new AbortController();
    try {
      await Promise.race([
        once(destination, "drain", { signal: ac.signal }),
        once(destination, "close", { signal: ac.signal }).then(() => {
          failure ??= new WireError(
            "E_WIRE_FORMAT",
            "the output was closed before all records were written",
            { frame: -1, byteOffset: -1 },
          );
        }),
      ]);
    } finally {
      ac.abort();
    }
  };

  const flush = async (): Promise<void> => {
    if (failure !== null) throw failure;
    if (size === 0) return;
    let chunk: Uint8Array;
    if (format === "ndjson") {
      chunk = utf8.encode(text);
      text = "";
    } else {
      chunk = new Uint8Array(size);
      let o = 0;
      for (const p of parts) {
        chunk.set(p, o);
        o += p.length;
      }
      parts = [];
    }
    size = 0;
    if (!destination.write(chunk)) await waitDrain();
    if (failure !== null) throw failure;
  };

  return {
    async write(record) {
      if (failure !== null) throw failure;
      if (format === "ndjson") {
        const line = encodeRecordLine(record);
        text += line;
        size += line.length;
      } else {
        const p = encodeRecordMsgpack(record);
        parts.push(p);
        size += p.length;
      }
      if (size >= flushBytes) await flush();
    },
    flush,
    async end() {
      await flush();
      destination.off("error", onError);
      if (opts.end === false) return;
      const finished = once(destination, "finish");
      destination.end();
      await finished;
    },
  };
}

/**
 * The same encoding as a Transform: write records (object mode), read bytes. Node's own backpressure
 * applies on both sides (`pipeline(records, createRecordEncoder("ndjson"), process.stdout)`).
 */
export function createRecordEncoder(format: "ndjson" | "msgpack"): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(record: OutputRecord, _enc, cb) {
      try {
        cb(null, format === "ndjson" ? utf8.encode(encodeRecordLine(record)) : encodeRecordMsgpack(record));
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
