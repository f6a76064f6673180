/**
 * Recycled SharedArrayBuffers for task inputs. A task's rows (or raw frames) are staged once into a
 * slab that the worker reads in place — nothing is cloned per task — and the host keeps the slab until
 * the task has succeeded, so a task whose worker died can be retried from the same bytes. Slabs are
 * reused because a fresh buffer of tens of MB costs as much to fault in as the math (PERFORMANCE.md).
 *
 * Bounded: at most `maxFree` idle slabs are kept; live slabs are bounded by the tasks in flight.
 */
export class SlabPool {
  readonly #free: SharedArrayBuffer[] = [];
  readonly #maxFree: number;
  /** Slabs allocated over the pool's life (for tests and stats). */
  allocated = 0;

  constructor(maxFree: number) {
    this.#maxFree = maxFree;
  }

  /** A slab of at least `bytes` bytes (rounded up to a power of two ≥ 4 KiB, so sizes recur). */
  acquire(bytes: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const s = this.#free[i]!;
      if (s.byteLength >= bytes && (best < 0 || s.byteLength < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    this.allocated++;
    let size = 4096;
    while (size < bytes) size *= 2;
    return new SharedArrayBuffer(size);
  }

  /** Returns a slab for reuse; the smallest idle slab is dropped when more than `maxFree` are idle. */
  release(slab: SharedArrayBuffer): void {
    this.#free.push(slab);
    if (this.#free.length > this.#maxFree) {
      let smallest = 0;
      for (let i = 1; i < this.#free.length; i++) {
        if (this.#free[i]!.byteLength < this.#free[smallest]!.byteLength) smallest = i;
      }
      this.#free.splice(smallest, 1);
    }
  }

  /** Drops every idle slab. */
  clear(): void {
    this.#free.length = 0;
  }
}
