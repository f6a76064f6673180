import { PoolError } from "./errors.js";
import type { PoolLifecycle } from "./poolLifecycle.js";
import type { ByteChunkLike, RowBatchLike } from "./protocol.js";
import { SlabPool } from "./slabPool.js";

/**
 * One slab held for one task: released exactly once, when the task has settled (so a retry reads the
 * same bytes), back to the pool for reuse — or dropped if the pool has stopped.
 */
export class SlabLease {
  #slab: SharedArrayBuffer | undefined;

  constructor(
    slab: SharedArrayBuffer,
    private readonly owner: SlabLeases,
  ) {
    this.#slab = slab;
  }

  /** Gives the slab back (idempotent). */
  release(): void {
    const slab = this.#slab;
    if (slab === undefined) return;
    this.#slab = undefined;
    this.owner.recycle(slab);
  }

  /** Releases the slab once `task` settles, whichever way. */
  releaseWhenSettled(task: Promise<unknown>): void {
    const release = () => this.release();
    task.then(release, release);
  }
}

/** Input placed where the workers can read it in place, and the lease on its slab if one was needed. */
export interface Staged<V> {
  view: V;
  lease?: SlabLease;
}

/**
 * The pool's shared memory for task inputs. Input not already on a SharedArrayBuffer is copied ("staged")
 * into a recycled slab that the worker reads in place — nothing is cloned per task — and `allocBytes` lends
 * slabs for wire's framer to cut chunks straight into, or for a caller to write a batch's rows into. Every
 * slab in use is held by a `SlabLease`, so the release rule (after the task settles; dropped once the pool
 * has stopped) is written once.
 */
export class SlabLeases {
  readonly #slabs: SlabPool;
  // Slabs handed out by `allocBytes` and not yet given back with a chunk or batch to `run`. Weak: an item
  // that never reaches the pool lets its slab be collected.
  readonly #lent = new WeakSet<SharedArrayBuffer>();

  constructor(
    maxIdle: number,
    private readonly lifecycle: PoolLifecycle,
  ) {
    this.#slabs = new SlabPool(maxIdle);
  }

  /** Slabs allocated over the pool's life. */
  get allocated(): number {
    return this.#slabs.allocated;
  }

  /** `n` bytes on a lent slab (`Pool.allocBytes`). */
  lend(n: number): Uint8Array {
    const slab = this.#slabs.acquire(n);
    this.#lent.add(slab);
    return new Uint8Array(slab, 0, n);
  }

  /**
   * A chunk cut into a lent slab — or a batch whose rows were written into one — belongs to the pool once
   * given to `run`: the lease on its slab, or undefined when the item is not on one.
   */
  adopt(item: RowBatchLike | ByteChunkLike): SlabLease | undefined {
    const buffer = ((item as ByteChunkLike).bytes ?? (item as RowBatchLike).data)?.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || !this.#lent.has(buffer)) return undefined;
    this.#lent.delete(buffer);
    return new SlabLease(buffer, this);
  }

  /** The first `n` rows' elements of `data` on shared memory: in place if they are shared, else copied into a slab. */
  stageRows(data: Float32Array, n: number): Staged<Float32Array> {
    checkBatchData(data, n);
    if (data.buffer instanceof SharedArrayBuffer) return { view: data.subarray(0, n) };
    const slab = this.#slabs.acquire(n * 4);
    const view = new Float32Array(slab, 0, n);
    view.set(n === data.length ? data : data.subarray(0, n));
    return { view, lease: new SlabLease(slab, this) };
  }

  /** Raw frame bytes on shared memory: in place if they are shared, else copied into a slab. */
  stageBytes(bytes: Uint8Array): Staged<Uint8Array> {
    if (bytes.buffer instanceof SharedArrayBuffer) return { view: bytes };
    const slab = this.#slabs.acquire(bytes.byteLength);
    const view = new Uint8Array(slab, 0, bytes.byteLength);
    view.set(bytes);
    return { view, lease: new SlabLease(slab, this) };
  }

  /** A batch staged whole (a streaming run's batch). */
  stageBatch(batch: RowBatchLike): Staged<RowBatchLike> {
    const { view, lease } = this.stageRows(batch.data, elementsOf(batch));
    const staged: Staged<RowBatchLike> = { view: { ...batch, data: view } };
    if (lease !== undefined) staged.lease = lease;
    return staged;
  }

  /** A chunk staged whole. */
  stageChunk(chunk: ByteChunkLike): Staged<ByteChunkLike> {
    const { view, lease } = this.stageBytes(chunk.bytes);
    const staged: Staged<ByteChunkLike> = { view: { ...chunk, bytes: view } };
    if (lease !== undefined) staged.lease = lease;
    return staged;
  }

  /** Called by a lease: keep the slab for reuse, unless the pool has stopped. */
  recycle(slab: SharedArrayBuffer): void {
    if (!this.lifecycle.halted) this.#slabs.release(slab);
  }

  /** Drops every idle slab (the pool closed or stopped). */
  clear(): void {
    this.#slabs.clear();
  }
}

/** Rejects a batch whose data is shorter than its `rows × vocab` elements. */
export function checkBatchData(data: Float32Array, elements: number): void {
  if (data.length < elements) {
    throw new PoolError(
      "E_BAD_BATCH",
      `batch data holds ${data.length} values, fewer than rows × vocab = ${elements}`,
    );
  }
}

/** A batch's logit elements: `rows × vocab`, or where its last row ends when its rows differ (`offsets`). */
export function elementsOf(batch: RowBatchLike): number {
  return batch.offsets === undefined ? batch.rows * batch.vocab : batch.offsets[batch.rows]!;
}
