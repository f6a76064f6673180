import { WireError } from "./errors.js";
import type { FrameParams } from "./frameParams.js";
import type { RowBatch } from "./frames.js";

/**
 * Collects the rows of one chunk into a {@link RowBatch}: allocates `rows × vocab` once the vocabulary
 * is known (from the chunk or from its first good row), records ids/targets/params lazily, and in
 * skip mode NaN-fills the rows that failed. Shared by the NDJSON and msgpack decoders.
 *
 * Rows of different lengths (`ragged`, allowed only when the caller fixed no vocabulary): while every
 * row has the first row's length the batch is the uniform `rows × vocab` layout and nothing else is
 * kept — the common case pays one comparison per row. The first row of another length switches to a
 * packed layout, the same memory read through `offsets` (rows so far keep their places: in a packed
 * layout uniform rows are laid out exactly as in the uniform one), grown as rows arrive.
 */
export class BatchBuilder {
  /** The first good row's length (every row's, while the batch is uniform); -1 until one is placed. */
  vocab: number;
  data: Float32Array | null = null;
  ids: unknown[] | undefined;
  targets: Int32Array | undefined;
  params: (FrameParams | undefined)[] | undefined;
  readonly errors: WireError[] = [];
  /** Whether rows may have different lengths: asked for, and no vocabulary fixed by the caller. */
  readonly ragged: boolean;
  private readonly bad: number[] = [];
  /** Packed layout only: row i is data[offsets[i], offsets[i + 1]). Null while the batch is uniform. */
  private offsets: Int32Array | null = null;
  /** Packed layout only: the length of the last row placed, what a row of unknown length is given. */
  private width = 0;

  constructor(
    readonly firstRow: number,
    readonly rows: number,
    vocab: number | undefined,
    readonly maxVocab: number,
    private readonly alloc?: (elements: number) => Float32Array,
    ragged = false,
  ) {
    this.vocab = vocab ?? -1;
    this.ragged = ragged && vocab === undefined;
  }

  /** The length a row is expected to have: the vocabulary, or in a packed batch the previous row's. */
  expected(): number {
    return this.offsets === null ? this.vocab : this.width;
  }

  /**
   * Where row `local`'s elements start in {@link out}, with room for `v` of them: what a decoder that
   * writes before it knows the row's length (the NDJSON scanner) writes into. Call {@link place} after.
   */
  reserve(local: number, v: number): number {
    if (this.offsets === null) return local * this.vocab;
    const at = this.offsets[local]!;
    this.grow(at, v, this.rows - local - 1, v);
    return at;
  }

  /**
   * Places `count` rows of `v` logits from row `local` on (a msgpack batch frame is several rows):
   * fixes the vocabulary (first good row), checks the length against it — or, when rows may differ,
   * switches to the packed layout — and returns where the first of them starts in {@link out}.
   */
  place(
    local: number,
    v: number,
    where: { frame: number; byteOffset: number },
    row: number,
    count = 1,
  ): number {
    if (this.offsets === null) {
      if (v === this.vocab) return local * v;
      if (this.vocab < 0 || this.ragged) checkLength(v, this.maxVocab, where, row);
      if (this.vocab < 0) {
        this.vocab = v;
        return local * v;
      }
      if (!this.ragged) {
        throw new WireError(
          "E_WIRE_VOCAB",
          `row ${row} has ${v} logits but the stream's vocabulary size is ${this.vocab}; every row must have the same length`,
          where,
        );
      }
      this.pack(local);
    } else checkLength(v, this.maxVocab, where, row);
    const offsets = this.offsets!;
    const at = offsets[local]!;
    this.grow(at, v * count, this.rows - local - count, v);
    for (let i = 1; i <= count; i++) offsets[local + i] = at + i * v;
    this.width = v;
    return at;
  }

  /** The length of row `local`, once placed. */
  lengthOf(local: number): number {
    return this.offsets === null ? this.vocab : this.offsets[local + 1]! - this.offsets[local]!;
  }

  /** The row-major output, allocated on first use (vocabulary must be set). */
  out(): Float32Array {
    if (this.data === null) {
      const n = this.rows * this.vocab;
      this.data = this.alloc !== undefined ? this.alloc(n).subarray(0, n) : new Float32Array(n);
    }
    return this.data;
  }

  /** Switches to the packed layout at row `local`: rows before it keep their uniform places. */
  private pack(local: number): void {
    const offsets = new Int32Array(this.rows + 1);
    for (let i = 0; i <= local; i++) offsets[i] = i * this.vocab;
    this.offsets = offsets;
    this.width = this.vocab;
  }

  /**
   * Makes the packed data hold `elements` more from `at` (where the rows placed so far end), with room
   * for `rowsLeft` more rows of `v` (so rows of about one length grow it once); at least doubles.
   */
  private grow(at: number, elements: number, rowsLeft: number, v: number): void {
    const current = this.data?.length ?? 0;
    if (at + elements <= current) return;
    const data = new Float32Array(Math.max(at + elements + rowsLeft * v, 2 * current));
    if (this.data !== null) data.set(this.data.subarray(0, at));
    this.data = data;
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

  /**
   * Skip mode: remembers a failed row (its data is NaN-filled in {@link finish}). In a packed batch a
   * row that failed before its length was known takes the previous row's length.
   */
  fail(local: number, error: WireError): void {
    this.bad.push(local);
    this.errors.push(error);
    if (this.targets !== undefined) this.targets[local] = -1;
    if (this.ids !== undefined) this.ids[local] = undefined;
    if (this.params !== undefined) this.params[local] = undefined;
    const offsets = this.offsets;
    if (offsets !== null && offsets[local + 1]! <= offsets[local]!) {
      const at = offsets[local]!;
      this.grow(at, this.width, this.rows - local - 1, this.width);
      offsets[local + 1] = at + this.width;
    }
  }

  /**
   * The batch of the first `rows` rows (all of them by default; fewer when a throw-mode decoder
   * stopped at a bad row and hands back the good rows before it). Views, no copies. A packed batch
   * whose rows turned out all the same length (the odd one was cut off) is returned uniform.
   */
  finish(rows = this.rows): RowBatch {
    const batch =
      this.offsets === null || rows === 0 ? this.uniformRows(rows) : this.packedRows(rows, this.offsets);
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

  /** The first `rows` rows of the uniform layout, bad rows NaN. */
  private uniformRows(rows: number): RowBatch {
    const vocab = Math.max(this.vocab, 0);
    const all = vocab === 0 || rows === 0 ? new Float32Array(0) : this.out();
    const data = rows === this.rows ? all : all.subarray(0, rows * vocab);
    for (const local of this.bad) data.fill(Number.NaN, local * vocab, (local + 1) * vocab);
    return { firstRow: this.firstRow, rows, vocab, data };
  }

  /** The first `rows` rows of the packed layout, bad rows NaN; uniform if their lengths are all equal. */
  private packedRows(rows: number, offsets: Int32Array): RowBatch {
    const data = this.data!.subarray(0, offsets[rows]!);
    for (const local of this.bad) {
      if (local < rows) data.fill(Number.NaN, offsets[local]!, offsets[local + 1]!);
    }
    const first = offsets[1]! - offsets[0]!;
    let uniform = true;
    for (let r = 1; r < rows && uniform; r++) uniform = offsets[r + 1]! - offsets[r]! === first;
    const batch: RowBatch = { firstRow: this.firstRow, rows, vocab: uniform ? first : 0, data };
    if (!uniform) batch.offsets = offsets.subarray(0, rows + 1);
    return batch;
  }
}

/** A row length any stream accepts: at least one logit, at most maxVocab. */
function checkLength(
  v: number,
  maxVocab: number,
  where: { frame: number; byteOffset: number },
  row: number,
): void {
  if (v < 1)
    throw new WireError("E_WIRE_VOCAB", `row ${row} is empty; a row needs at least one logit`, where);
  if (v > maxVocab) {
    throw new WireError(
      "E_WIRE_LIMIT",
      `row ${row} has ${v} logits, more than maxVocab (${maxVocab}); raise maxVocab if this is intended`,
      where,
    );
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
