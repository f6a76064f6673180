import type { ByteInput } from "./byteSource.js";
import { decodeChunkPrefix } from "./decodeChunk.js";
import { frameChunks } from "./frameChunks.js";
import type { ReadOptions, RowBatch } from "./frames.js";

/**
 * Reads any supported input as batches of up to `maxBatchRows` rows — the pool's unit of work —
 * framing and decoding on the calling thread. Rows before a bad frame are yielded before its error
 * is thrown. The vocabulary of the first row is enforced on every later row.
 *
 * @example
 * for await (const b of readBatches(fs.createReadStream("logits.npy"))) {
 *   console.log(b.firstRow, b.rows, b.vocab); // 0 64 128256, then 64 64 128256, …
 * }
 */
export async function* readBatches(input: ByteInput, opts: ReadOptions = {}): AsyncGenerator<RowBatch> {
  let vocab = opts.vocab;
  for await (const chunk of frameChunks(input, opts)) {
    if (vocab !== undefined && chunk.vocab === undefined) chunk.vocab = vocab;
    const { batch, error } = decodeChunkPrefix(chunk);
    if (batch.vocab > 0) vocab = batch.vocab;
    if (batch.rows > 0) yield batch;
    if (error !== undefined) throw error;
  }
}
