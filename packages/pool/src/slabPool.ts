/**
 * Recycled SharedArrayBuffers for task inputs. A task's rows (or raw frames) are staged once into a
 * slab that the worker reads in place — nothing is cloned per task — and the host keeps the slab until
 * the task has succeeded, so a task whose worker died can be retried from the same bytes. Slabs are
 * reused because a fresh buffer of tens of MB costs as much to fault in as the math (docs/PERFORMANCE.md).
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

  /** A slab of at least `bytes` bytes (rounded up to a power of two ≥ 64 KiB, so sizes recur). */
  acquire(bytes: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const s = this.#free[i]!;
      if (s.byteLength >= bytes && (best < 0 || s.byteLength < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    this.allocated++;
    let size = WASM_PAGE;
    while (size < bytes) size *= 2;
    return pageAligned(size);
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

const WASM_PAGE = 65_536;

// The one WebAssembly API used here, typed by hand: the packages compile with `lib: ES2023`, which
// declares no WebAssembly.
type MemoryCtor = new (d: {
  initial: number;
  maximum: number;
  shared: true;
}) => { buffer: SharedArrayBuffer };

/**
 * Shared memory that starts on a page boundary. A SharedArrayBuffer's memory comes from the C allocator,
 * 16 bytes past a page boundary, and the kernel copies file and pipe reads into such a destination far
 * more slowly: reading a 525 MB file in 4 MiB reads took 237–266 ms into a SharedArrayBuffer and 45 ms
 * into page-aligned memory on this machine (the AMD EPYC's `rep movsb` is slow to a misaligned
 * destination). The CLI reads files straight into slabs, so that is its input speed. A shared
 * WebAssembly.Memory is mapped page-aligned, and its buffer is an ordinary SharedArrayBuffer to everyone
 * else. Each reserves address space beyond its size (V8's guard regions: ~75 GB virtual for the CLI's
 * slabs, nothing resident); where the address space is limited (`ulimit -v`) the engine refuses, and
 * then, as beyond wasm32's 4 GiB, a plain SharedArrayBuffer is used instead.
 */
function pageAligned(bytes: number): SharedArrayBuffer {
  const pages = bytes / WASM_PAGE;
  const Memory = (globalThis as { WebAssembly?: { Memory: MemoryCtor } }).WebAssembly?.Memory;
  if (pages <= 65_536 && Memory !== undefined) {
    try {
      return new Memory({ initial: pages, maximum: pages, shared: true }).buffer;
    } catch {
      // fall through
    }
  }
  return new SharedArrayBuffer(bytes);
}
