import { type ByteInput, type ReadOptions, type RowBatch, readBatches } from "@logitstream/wire";
import { pageAligned } from "./pageAligned.js";

/** Idle buffers kept for the next chunks: one chunk is read at a time, so one would do; two absorb a size change. */
const MAX_IDLE = 2;

/**
 * wire's `readBatches`, with the chunks read into a few reused page-aligned buffers instead of fresh
 * memory each: fresh memory is page-faulted in as it is first written, page by page, and then left to
 * the garbage collector (compare's two inputs read into fresh chunks were a third of its page faults:
 * apps/cli/BENCHMARKS.md). The price is a shorter life: a batch, and its `data` (a view of its chunk
 * for binary rows), is valid only until the next batch is asked for — the caller copies what it
 * keeps, as `pairRows` does. Memory: one chunk in use (about `maxChunkBytes`, or one larger row) and at
 * most two idle buffers.
 */
export async function* readBatchesReusing(input: ByteInput, opts: ReadOptions): AsyncGenerator<RowBatch> {
  const memory = new ReusedBuffers();
  for await (const batch of readBatches(input, { ...opts, alloc: (n) => memory.take(n) })) {
    yield batch;
    // The caller asked for the next batch, so it is done with this one: wire keeps nothing it handed
    // out, so every buffer lent so far is free for the next chunk.
    memory.reclaim();
  }
}

/** Buffers lent for the current batch, and idle ones (sizes are powers of two ≥ 64 KiB, so they recur). */
class ReusedBuffers {
  readonly #lent: Uint8Array[] = [];
  readonly #idle: Uint8Array[] = [];

  /** `n` bytes: the smallest idle buffer that holds them, else a new one. */
  take(n: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.#idle.length; i++) {
      const b = this.#idle[i]!;
      if (b.length >= n && (best < 0 || b.length < this.#idle[best]!.length)) best = i;
    }
    let buffer: Uint8Array;
    if (best >= 0) buffer = this.#idle.splice(best, 1)[0]!;
    else {
      let size = 65_536;
      while (size < n) size *= 2;
      buffer = pageAligned(size);
    }
    this.#lent.push(buffer);
    return buffer.subarray(0, n);
  }

  /** Every lent buffer is idle again; beyond MAX_IDLE the smallest are dropped. */
  reclaim(): void {
    this.#idle.push(...this.#lent);
    this.#lent.length = 0;
    this.#idle.sort((a, b) => b.length - a.length);
    this.#idle.length = Math.min(this.#idle.length, MAX_IDLE);
  }
}
