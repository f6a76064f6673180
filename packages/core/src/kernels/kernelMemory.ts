import type { KernelBackend } from "./backend.js";

/**
 * Where the kernels' scratch regions sit in one backend's linear memory (byte addresses). Every
 * row-sized region holds `rowCapacity` floats plus 16 spare ones, as kernels store whole vectors
 * past their results; the row itself is padded with -Infinity to a multiple of 16.
 */
export interface MemoryLayout {
  /** Row-sized regions hold this many elements (a multiple of 16). */
  readonly rowCapacity: number;
  /** The top-k heap holds this many entries (a multiple of 16). */
  readonly topCapacity: number;
  /** The loaded row (float32). */
  readonly row: number;
  /** exp terms and row outputs; also the float16 / bfloat16 source bytes before decoding. */
  readonly exps: number;
  /** Partial sums, one float64 per summation block. */
  readonly blockSums: number;
  /** The top-k heap: values, then ids. */
  readonly heapValues: number;
  readonly heapIds: number;
  /** A row with masked tokens: its finite values in order, then their ids (`compactFinite`). */
  readonly finiteValues: number;
  readonly finiteIds: number;
  /** Index lists written by `collectRange` (the top-p nucleus). */
  readonly collected: number;
  /** Bytes a row without masked tokens needs (up to the finite values). */
  readonly plainEnd: number;
  /** Bytes with the finite values, their ids and the collected list backed too. */
  readonly fullEnd: number;
}

/**
 * The sequence the sums of a loaded row run over: the row itself, or — when it has masked tokens —
 * its finite values compacted (`mapped`: position j is token `finiteIds[j]`), so the lanes and blocks
 * of every sum depend only on the unmasked values (a masked token changes no other output, bit for
 * bit, exactly as if it were not in the row).
 */
export interface SumSequence {
  /** Byte address of the first value. */
  readonly start: number;
  /** Number of values. */
  readonly count: number;
  /** `count` rounded up to a multiple of 16 (the tail is -Infinity). */
  readonly count16: number;
  readonly mapped: boolean;
}

function layoutFor(base: number, rows: number, tops: number): MemoryLayout {
  const rowBytes = (rows + 16) * 4;
  const topBytes = (tops + 16) * 4;
  const row = base;
  const exps = row + rowBytes;
  const blockSums = exps + rowBytes;
  const heapValues = blockSums + (Math.ceil(rows / BLOCK_ELEMENTS) + 2) * 8;
  const heapIds = heapValues + topBytes;
  const finiteValues = heapIds + topBytes;
  const finiteIds = finiteValues + rowBytes;
  const collected = finiteIds + rowBytes;
  return {
    rowCapacity: rows,
    topCapacity: tops,
    row,
    exps,
    blockSums,
    heapValues,
    heapIds,
    finiteValues,
    finiteIds,
    collected,
    plainEnd: finiteValues,
    fullEnd: collected + rowBytes,
  };
}

// Elements per summation block (BLOCK in backend.ts; repeated to keep this file free of cycles).
const BLOCK_ELEMENTS = 128;

const round16 = (n: number) => (n + 15) & ~15;

/**
 * One backend's memory as the kernels use it: the layout (grown on demand, never shrunk), typed
 * views over it (re-taken when the memory grows) and a load counter that tells a {@link LoadedRow}
 * handle whether its row is still the one in memory.
 */
export class KernelMemory {
  readonly backend: KernelBackend;
  layout: MemoryLayout;
  f32 = new Float32Array(0);
  i32 = new Int32Array(0);
  u8 = new Uint8Array(0);
  /** Incremented by every load: a handle taken before the last load is stale. */
  loads = 0;
  private viewsOf: ArrayBuffer | null = null;

  constructor(backend: KernelBackend) {
    this.backend = backend;
    this.layout = layoutFor(backend.k.heapBase(), 16, 16);
  }

  /** Makes room for rows of n elements and top lists of k entries (plain part); refreshes the views. */
  reserve(n: number, k = 0): void {
    const l = this.layout;
    if (n > l.rowCapacity || k > l.topCapacity) {
      const rows = round16(Math.max(n, l.rowCapacity));
      const tops = round16(Math.max(k, l.topCapacity));
      this.layout = layoutFor(this.backend.k.heapBase(), rows, tops);
    }
    this.backend.ensureBytes(this.layout.plainEnd);
    this.refreshViews();
  }

  /** Backs the finite values, their ids and the collected list too (rows with masked tokens, top-p). */
  reserveFull(): void {
    this.backend.ensureBytes(this.layout.fullEnd);
    this.refreshViews();
  }

  private refreshViews(): void {
    const buffer = this.backend.buffer();
    if (buffer !== this.viewsOf) {
      this.viewsOf = buffer;
      this.f32 = new Float32Array(buffer);
      this.i32 = new Int32Array(buffer);
      this.u8 = new Uint8Array(buffer);
    }
  }

  /** Pads the row region after `length` with -Infinity to a multiple of 16; returns the padded length. */
  private pad(at: number, length: number): number {
    const n16 = round16(length);
    const f = this.f32;
    const x = at >> 2;
    for (let i = length; i < n16; i++) f[x + i] = Number.NEGATIVE_INFINITY;
    return n16;
  }

  /** Copies a row into the row region (room for top lists of k), padded; returns the padded length. */
  loadRow(data: Float32Array, offset: number, length: number, k = 0): number {
    this.reserve(length, k);
    this.loads++;
    const row = offset === 0 && length === data.length ? data : data.subarray(offset, offset + length);
    this.f32.set(row, this.layout.row >> 2);
    return this.pad(this.layout.row, length);
  }

  /** Decodes a float16 / bfloat16 row (little-endian bytes) into the row region, padded. */
  loadHalf(bytes: Uint8Array, byteOffset: number, length: number, dtype: "f16" | "bf16"): number {
    this.reserve(length);
    this.loads++;
    const l = this.layout;
    this.u8.set(bytes.subarray(byteOffset, byteOffset + 2 * length), l.exps);
    if (dtype === "f16") this.backend.k.decodeF16(l.exps, length, l.row);
    else this.backend.k.decodeBF16(l.exps, length, l.row);
    return this.pad(l.row, length);
  }

  /** Copies `length` floats out of a region (byte address) into out[outOffset ..]. */
  copyOut(at: number, length: number, out: Float32Array, outOffset = 0): void {
    const x = at >> 2;
    out.set(this.f32.subarray(x, x + length), outOffset);
  }

  /**
   * The sequence the sums of the loaded row (padded length n16) run over: the row in place when it
   * has no -Infinity entry (the max pass counted them), else its finite values compacted.
   */
  sumSequence(n16: number, length: number): SumSequence {
    const k = this.backend.k;
    const l = this.layout;
    if (k.lastNegInf() === n16 - length) return { start: l.row, count: length, count16: n16, mapped: false };
    this.reserveFull();
    const count = k.compactFinite(l.row, length, l.finiteValues, l.finiteIds);
    return { start: l.finiteValues, count, count16: this.pad(l.finiteValues, count), mapped: true };
  }
}
