import { WireError } from "./errors.js";
import type { FrameParams } from "./frameParams.js";
import type { RowBatch } from "./frames.js";

/**
 * Collects the rows of one chunk into a {@link RowBatch}: allocates `rows × vocab` once the vocabulary
 * is known (from the chunk or from its first good row), records ids/targets/params lazily, and in
 * skip mode NaN-fills the rows that failed. Shared by the NDJSON and msgpack decoders.
 */
export class BatchBuilder {
  vocab: number;
  data: Float32Array | null = null;
  ids: unknown[] | undefined;
  targets: Int32Array | undefined;
  params: (FrameParams | undefined)[] | undefined;
  readonly errors: WireError[] = [];
  private readonly bad: number[] = [];

  constructor(
    readonly firstRow: number,
    readonly rows: number,
    vocab: number | undefined,
    readonly maxVocab: number,
    private readonly alloc?: (elements: number) => Float32Array,
  ) {
    this.vocab = vocab ?? -1;
  }

  /** Fixes the vocabulary (first good row) or checks a row against it. */
  setVocab(v: number, where: { frame: number; byteOffset: number }, row: number): void {
    if (this.vocab < 0) {
      if (v < 1)
        throw new WireError("E_WIRE_VOCAB", `row ${row} is empty; a row needs at least one logit`, where);
      if (v > this.maxVocab) {
        throw new WireError(
          "E_WIRE_LIMIT",
          `row ${row} has ${v} logits, more than maxVocab (${this.maxVocab}); raise maxVocab if this is intended`,
          where,
        );
      }
      this.vocab = v;
    } else if (v !== this.vocab) {
      throw new WireError(
        "E_WIRE_VOCAB",
        `row ${row} has ${v} logits but the stream's vocabulary size is ${this.vocab}; every row must have the same length`,
        where,
      );
    }
  }

  /** The row-major output, allocated on first use (vocabulary must be set). */
  out(): Float32Array {
    if (this.data === null) {
      const n = this.rows * this.vocab;
      this.data = this.alloc !== undefined ? this.alloc(n).subarray(0, n) : new Float32Array(n);
    }
    return this.data;
  }

  setId(local: number, id: unknown): void {
    if (this.ids === undefined) this.ids = new Array(this.rows).fill(undefined);
    this.ids[local] = id;
  }

  setTarget(local: number, t: number): void {
    if (this.targets === undefined) this.targets = new Int32Array(this.rows).fill(-1);
    this.targets[local] = t;
  }

  setParams(local: number, p: FrameParams): void {
    if (this.params === undefined) this.params = new Array(this.rows).fill(undefined);
    this.params[local] = p;
  }

  /** Skip mode: remembers a failed row (its data is NaN-filled in {@link finish}). */
  fail(local: number, error: WireError): void {
    this.bad.push(local);
    this.errors.push(error);
    if (this.targets !== undefined) this.targets[local] = -1;
    if (this.ids !== undefined) this.ids[local] = undefined;
    if (this.params !== undefined) this.params[local] = undefined;
  }

  /**
   * The batch of the first `rows` rows (all of them by default; fewer when a throw-mode decoder
   * stopped at a bad row and hands back the good rows before it). Views, no copies.
   */
  finish(rows = this.rows): RowBatch {
    const vocab = Math.max(this.vocab, 0);
    const all = vocab === 0 || rows === 0 ? new Float32Array(0) : this.out();
    const data = rows === this.rows ? all : all.subarray(0, rows * vocab);
    for (const local of this.bad) data.fill(Number.NaN, local * vocab, (local + 1) * vocab);
    const batch: RowBatch = { firstRow: this.firstRow, rows, vocab, data };
    if (this.ids !== undefined) batch.ids = rows === this.rows ? this.ids : this.ids.slice(0, rows);
    if (this.targets !== undefined) batch.targets = this.targets.subarray(0, rows);
    if (this.params !== undefined)
      batch.params = rows === this.rows ? this.params : this.params.slice(0, rows);
    if (this.errors.length > 0) {
      batch.errors = this.errors;
      batch.skippedRows = this.bad.map((l) => this.firstRow + l);
    }
    return batch;
  }
}

/** Checks a target token id: an integer in [0, vocab), or null/undefined/-1 for "no target". */
export function checkTarget(
  t: unknown,
  vocab: number,
  row: number,
  where: { frame: number; byteOffset: number },
): number {
  if (t === null || t === undefined || t === -1) return -1;
  if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= vocab) {
    const shown = typeof t === "number" ? String(t) : typeof t;
    throw new WireError(
      "E_WIRE_FIELD",
      `row ${row}: target must be an integer token id in [0, ${vocab}) or null; got ${shown}`,
      where,
    );
  }
  return t;
}
