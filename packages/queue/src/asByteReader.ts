import type { ByteInput, ByteReader } from "@logitstream/wire";

/**
 * A ByteReader over any byte input (stdin, a pipe, an iterable of chunks). wire's framer cuts a
 * ByteReader's bytes only at full chunks — never early because the input paused — so the tasks of a
 * job are the same on every run over the same bytes, and a restarted coordinator finds the task
 * boundaries of the run it resumes.
 *
 * @param input a stream or (async) iterable of Uint8Array, a Uint8Array, or a ByteReader (returned as is)
 * @example frameChunks(asByteReader(process.stdin), { format: "ndjson" })
 */
export function asByteReader(input: ByteInput): ByteReader {
  if (typeof (input as ByteReader).readInto === "function") return input as ByteReader;
  const it: AsyncIterator<unknown> | Iterator<unknown> =
    input instanceof Uint8Array
      ? [input][Symbol.iterator]()
      : Symbol.asyncIterator in (input as object)
        ? (input as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (input as Iterable<unknown>)[Symbol.iterator]();
  let piece: Uint8Array = new Uint8Array(0);
  let done = false;
  return {
    async readInto(into) {
      let n = 0;
      while (n < into.length) {
        if (piece.length === 0) {
          if (done) break;
          // Return what is there rather than wait for a full buffer; the framer asks again.
          if (n > 0) break;
          const r = await it.next();
          if (r.done) {
            done = true;
            break;
          }
          const v = r.value;
          piece =
            v instanceof Uint8Array
              ? v
              : typeof v === "string"
                ? Buffer.from(v)
                : new Uint8Array(v as ArrayBuffer);
          continue;
        }
        const k = Math.min(piece.length, into.length - n);
        into.set(piece.subarray(0, k), n);
        piece = piece.subarray(k);
        n += k;
      }
      return n;
    },
    async close() {
      await it.return?.();
    },
  };
}
