import { LogitstreamError } from "@logitstream/core";
import type { RowBatch } from "@logitstream/wire";

/**
 * The two inputs of `compare` disagree: one has fewer rows, the rows differ in length (and no
 * `--vocab-map` says how they correspond), or a target is not among the mapped tokens. Bad data
 * (exit 65); `row` is the first row that cannot be compared.
 */
export class CompareInputError extends LogitstreamError {
  readonly row: number;
  constructor(row: number, message: string) {
    super("E_COMPARE_INPUT", `row ${row}: ${message}`);
    this.row = row;
  }
}

/** `--vocab-map`: position j compares base token `base[j]` with new token `next[j]`. */
export interface VocabMap {
  base: Int32Array;
  next: Int32Array;
  /** Base token id → its position j, or −1 when it is not mapped. */
  position: Int32Array;
}

/** A batch of row pairs for the pool's compare job: each row is the base row then the new row. */
export interface PairBatch {
  firstRow: number;
  rows: number;
  /** 2 × the compared length. */
  vocab: number;
  data: Float32Array;
  targets?: Int32Array;
}

// Pair batches stay near 8 MiB of floats (so a 128k vocabulary gives 8 row pairs per task, and a tiny
// one at most 1,024), which keeps the pool's in-flight memory bounded whatever the row length.
const PAIR_BATCH_FLOATS = 1 << 21;
const MAX_PAIR_ROWS = 1024;

/** Where one input is: its current batch and the next row of it to pair. */
class Cursor {
  batch: RowBatch | undefined;
  pos = 0;
  done = false;
  constructor(private readonly it: AsyncIterator<RowBatch>) {}
  /** Rows left in the current batch, pulling the next batch when it is used up (0: the input ended). */
  async available(): Promise<number> {
    while (!this.done && (this.batch === undefined || this.pos >= this.batch.rows)) {
      const next = await this.it.next();
      if (next.done === true) this.done = true;
      else {
        this.batch = next.value;
        this.pos = 0;
      }
    }
    return this.done ? 0 : this.batch!.rows - this.pos;
  }
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Options of {@link pairRows}. */
interface PairRowsOptions {
  /** How tokens correspond when the row lengths differ. */
  map?: VocabMap | undefined;
  /**
   * Shared memory for each batch's `data` (`pool.allocBytes`: the pool's recycled slabs, taken back
   * when the batch's task has settled). Default: a fresh SharedArrayBuffer per batch.
   */
  alloc?: ((bytes: number) => Uint8Array) | undefined;
}

/**
 * Reads two row streams in lockstep and yields batches of row pairs (base ‖ new), in row order, on
 * shared memory the pool reads in place. Row i of the output pairs row i of each input; the base
 * batch's targets come along (mapped to positions with a vocabulary map). Each batch is written into
 * memory of its own from `alloc`: a batch is never written again once yielded.
 *
 * @param base - The base model's batches (wire's `readBatches`).
 * @param next - The compared model's batches.
 * @throws {CompareInputError} when the inputs have different row counts or lengths, naming the row.
 */
export async function* pairRows(
  base: AsyncIterable<RowBatch>,
  next: AsyncIterable<RowBatch>,
  opts: PairRowsOptions = {},
): AsyncGenerator<PairBatch> {
  const { map, alloc = freshShared } = opts;
  const a = new Cursor(base[Symbol.asyncIterator]());
  const b = new Cursor(next[Symbol.asyncIterator]());
  let row = 0;
  try {
    for (;;) {
      const [na, nb] = await Promise.all([a.available(), b.available()]);
      if (na === 0 || nb === 0) {
        if (na !== nb) {
          const [ended, other] = na === 0 ? ["BASE", "NEW"] : ["NEW", "BASE"];
          throw new CompareInputError(row, `${ended} ended after ${row} rows but ${other} has more`);
        }
        return;
      }
      const ba = a.batch!;
      const bb = b.batch!;
      const width = pairWidth(ba.vocab, bb.vocab, map, row);
      const rows = Math.min(na, nb, MAX_PAIR_ROWS, Math.max(1, Math.floor(PAIR_BATCH_FLOATS / (2 * width))));
      const data = floatsOn(alloc, rows * 2 * width);
      let targets: Int32Array | undefined;
      for (let r = 0; r < rows; r++) {
        copyRow(ba, a.pos + r, data, r * 2 * width, map?.base);
        copyRow(bb, b.pos + r, data, r * 2 * width + width, map?.next);
        const t = ba.targets?.[a.pos + r];
        if (t !== undefined && t >= 0) {
          targets ??= new Int32Array(rows).fill(-1);
          targets[r] = map === undefined ? t : mappedTarget(map, t, row + r);
        }
      }
      a.pos += rows;
      b.pos += rows;
      const pair: PairBatch = { firstRow: row, rows, vocab: 2 * width, data };
      if (targets !== undefined) pair.targets = targets;
      row += rows;
      yield pair;
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * Fresh shared memory, page-faulted in as it is written: the default when no pool lends its slabs
 * (the CLI passes `pool.allocBytes`, whose recycled slabs are already resident).
 */
function freshShared(bytes: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(bytes));
}

/** `n` floats on memory from `alloc` (the view covers exactly them: a recycled slab may be larger). */
function floatsOn(alloc: (bytes: number) => Uint8Array, n: number): Float32Array {
  const bytes = alloc(n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

/** The compared length of a row pair, checked against the map. */
function pairWidth(va: number, vb: number, map: VocabMap | undefined, row: number): number {
  if (map === undefined) {
    if (va !== vb) {
      throw new CompareInputError(
        row,
        `BASE rows have ${va} logits but NEW rows have ${vb}; give --vocab-map FILE to compare different vocabularies`,
      );
    }
    return va;
  }
  for (const [ids, v, name] of [
    [map.base, va, "BASE"],
    [map.next, vb, "NEW"],
  ] as const) {
    for (let j = 0; j < ids.length; j++) {
      if (ids[j]! >= v) {
        throw new CompareInputError(
          row,
          `--vocab-map names ${name} token ${ids[j]} but ${name} rows have ${v} logits`,
        );
      }
    }
  }
  return map.base.length;
}

/** Copies row `r` of `batch` (gathered through `ids` when mapped) to `out[at …]`. */
function copyRow(
  batch: RowBatch,
  r: number,
  out: Float32Array,
  at: number,
  ids: Int32Array | undefined,
): void {
  const v = batch.vocab;
  if (ids === undefined) {
    out.set(batch.data.subarray(r * v, (r + 1) * v), at);
    return;
  }
  const src = batch.data;
  const start = r * v;
  for (let j = 0; j < ids.length; j++) out[at + j] = src[start + ids[j]!]!;
}

/** The position of base token `t` in the map; a target outside the map cannot be scored. */
function mappedTarget(map: VocabMap, t: number, row: number): number {
  const j = t < map.position.length ? map.position[t]! : -1;
  if (j < 0) throw new CompareInputError(row, `target ${t} is not among the tokens of --vocab-map`);
  return j;
}
