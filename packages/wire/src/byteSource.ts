import { WireError } from "./errors.js";
import { type FillableInput, isFillableInput } from "./fillableInput.js";

/**
 * A file-like input that reads into memory it is given, e.g. over a Node `FileHandle`:
 * `{ readInto: async (b) => (await handle.read(b, 0, b.length, null)).bytesRead, close: () => handle.close() }`.
 * With it, binary rows are read straight into the chunks' memory (`ReadOptions.alloc`: the pool's shared
 * slabs) instead of into a read buffer and then copied there. Meant for regular files: the framers never
 * ask a reader whether it would wait (a file does not pause), so they hand out only full chunks. An input
 * that pauses (a pipe) reads into given memory as a `FillableInput` instead.
 */
export interface ByteReader {
  /** Reads up to `into.length` bytes into `into`; resolves to how many were read, 0 at the end of the input. */
  readInto(into: Uint8Array): Promise<number>;
  /** Called once when reading stops: at the end, on an error, or when the consumer stops early. */
  close?(): Promise<void> | void;
}

/**
 * What the readers accept: Node readables, async or sync iterables of bytes, one buffer, or a ByteReader.
 * An iterable's piece may be a view into memory the input reuses: the readers copy each piece (into a
 * chunk or their own buffer) before they ask for the next one. An async iterable that is also a
 * `FillableInput` (a pipe) has binary rows read straight into the chunks' memory.
 */
export type ByteInput =
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | NodeJS.ReadableStream
  | Uint8Array
  | ByteReader;

/** Whether an input is a {@link ByteReader}. */
export function isByteReader(input: unknown): input is ByteReader {
  return typeof (input as ByteReader | null)?.readInto === "function";
}

/** Size of the pieces a ByteReader is asked for when bytes are scanned rather than taken (text, headers). */
const READER_PIECE = 1 << 20;

/**
 * Reads `into.length` bytes or up to the end of the input; returns how many. A reader's count is
 * checked: anything but an integer in [0, asked] is an input error, not a silent corruption.
 */
async function readFully(reader: ByteReader, into: Uint8Array, base: number): Promise<number> {
  let o = 0;
  while (o < into.length) {
    const k = await reader.readInto(into.subarray(o));
    if (!Number.isInteger(k) || k < 0 || k > into.length - o) {
      throw new WireError(
        "E_WIRE_FORMAT",
        `readInto returned ${k} for a request of ${into.length - o} bytes; it must return the number of bytes read (0 at the end)`,
        { frame: -1, byteOffset: base + o },
      );
    }
    if (k === 0) break;
    o += k;
  }
  return o;
}

/**
 * A ByteReader as an iterator of fresh pieces, for the scanning paths (NDJSON, msgpack, headers).
 * `at()` is the input offset of the next byte read (for errors).
 */
export async function* piecesOfReader(reader: ByteReader, at: () => number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const piece = new Uint8Array(READER_PIECE);
    const k = await readFully(reader, piece, at());
    if (k === 0) return;
    yield k === piece.length ? piece : piece.subarray(0, k);
    if (k < piece.length) return;
  }
}

/**
 * Pulls bytes from an input into one growable buffer. The buffer holds only what has not been
 * consumed, so its size is bounded by the largest chunk or frame being assembled plus one read.
 * `base` is the absolute input offset of the first unconsumed byte.
 */
export class ByteSource {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  base = 0;
  done = false;
  private readonly it: Iterator<unknown> | AsyncIterator<unknown>;
  /** Where handed-out bytes are allocated (see `ReadOptions.alloc`); fresh ArrayBuffers when undefined. */
  private readonly alloc: ((bytes: number) => Uint8Array) | undefined;
  /** Set when the input is a ByteReader: `takeUpTo` reads straight into the memory it hands out. */
  private readonly reader: ByteReader | undefined;
  /** Set when the input is a FillableInput: `takeUpTo` has it fill the memory it hands out. */
  private readonly filler: FillableInput | undefined;

  constructor(input: ByteInput, alloc?: (bytes: number) => Uint8Array) {
    this.alloc = alloc;
    if (isByteReader(input)) {
      this.reader = input;
      this.it = piecesOfReader(input, () => this.base + this.length);
    } else if (input instanceof Uint8Array) this.it = [input][Symbol.iterator]();
    else if (Symbol.asyncIterator in (input as object)) {
      this.it = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      if (isFillableInput(input)) this.filler = input;
    } else if (Symbol.iterator in (input as object))
      this.it = (input as Iterable<unknown>)[Symbol.iterator]();
    else
      throw new WireError(
        "E_WIRE_FORMAT",
        "input must be a readable stream, an (async) iterable of Uint8Array, a Uint8Array or a ByteReader",
        { frame: -1, byteOffset: -1 },
      );
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The unconsumed bytes (a view; valid until the next pull/consume). */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  // A read started by `wouldWait`, not yet taken: the next read takes it instead of asking again.
  private ahead: Promise<IteratorResult<unknown>> | undefined;
  private aheadSettled = false;

  private read(): Promise<IteratorResult<unknown>> | IteratorResult<unknown> {
    const a = this.ahead;
    if (a === undefined) return this.it.next();
    this.ahead = undefined;
    return a;
  }

  /**
   * Whether the next read would have to wait for the input: starts that read (the next `pull` /
   * `takeUpTo` takes it) and gives it a few microtasks and then one turn of the event loop. Pieces
   * in memory and data a stream has buffered arrive within that; a pipe whose writer has paused does
   * not. Framers ask when they hold complete frames and nothing more, to hand those out before waiting.
   */
  async wouldWait(): Promise<boolean> {
    if (this.pending.length > 0 || this.done || this.reader !== undefined) return false;
    if (this.ahead === undefined) {
      const a = Promise.resolve(this.it.next());
      this.ahead = a;
      this.aheadSettled = false;
      const mark = () => {
        if (this.ahead === a) this.aheadSettled = true;
      };
      a.then(mark, mark);
    }
    for (let i = 0; i < 16 && !this.aheadSettled; i++) await undefined;
    if (!this.aheadSettled) await new Promise<void>((resolve) => defer(resolve));
    return !this.aheadSettled;
  }

  /** Reads one more piece; false at the end of the input. */
  async pull(): Promise<boolean> {
    while (!this.done || this.pending.length > 0) {
      let v: unknown;
      if (this.pending.length > 0) v = this.pending.shift();
      else {
        const r = await this.read();
        if (r.done) {
          this.done = true;
          return false;
        }
        v = r.value;
      }
      let piece: Uint8Array;
      if (v instanceof Uint8Array) piece = v;
      else if (v instanceof ArrayBuffer) piece = new Uint8Array(v);
      else {
        throw new WireError(
          "E_WIRE_FORMAT",
          `input yielded ${typeof v === "string" ? "a string" : typeof v}; readers need bytes (do not call setEncoding on the stream)`,
          { frame: -1, byteOffset: this.base + this.length },
        );
      }
      if (piece.length === 0) continue;
      this.append(piece);
      return true;
    }
    return false;
  }

  /** Pulls until at least `n` bytes are buffered or the input ends. */
  async fill(n: number): Promise<void> {
    while (this.length < n && (await this.pull()));
  }

  private append(p: Uint8Array): void {
    const live = this.end - this.start;
    if (this.end + p.length > this.buf.length) {
      if (live + p.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, live + p.length, 65536));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(p, this.end);
    this.end += p.length;
  }

  consume(n: number): void {
    this.start += n;
    this.base += n;
    if (this.start === this.end) this.start = this.end = 0;
  }

  /**
   * Hands out the first `n` bytes in a buffer that is the caller's alone (it may transfer it to a
   * worker) and is less than twice their size.
   *
   * When they are more than half the read buffer, the read buffer itself becomes the chunk's buffer
   * (no copy of them) and the unconsumed rest — smaller than the chunk — moves to a new read buffer
   * with room for `reserve` more bytes: one copy per byte (into the read buffer) instead of two.
   * Otherwise (a small chunk in a large buffer, e.g. one big input piece) they are copied out and
   * consumed: handing out the buffer would make the chunk pin all of it, and moving the large rest
   * for every chunk would be quadratic.
   */
  detach(n: number, reserve: number): Uint8Array {
    // With an allocator the chunk must live in its memory: one copy out of the read buffer.
    if (this.alloc !== undefined || 2 * n <= this.buf.length) return this.take(n);
    const out = this.buf.subarray(this.start, this.start + n);
    const rest = this.length - n;
    const next = new Uint8Array(Math.max(65536, rest + reserve));
    next.set(this.buf.subarray(this.start + n, this.end));
    this.buf = next;
    this.start = 0;
    this.end = rest;
    this.base += n;
    return out;
  }

  /** Copies out and consumes `n` bytes: the copy owns its ArrayBuffer (transferable to a worker). */
  take(n: number): Uint8Array {
    let out: Uint8Array;
    if (this.alloc === undefined) out = this.buf.slice(this.start, this.start + n);
    else {
      out = this.allocate(n);
      out.set(this.buf.subarray(this.start, this.start + n));
    }
    this.consume(n);
    return out;
  }

  /**
   * Takes the next `n` bytes (fewer only at the end of the input) into a fresh buffer, copying pieces
   * straight into it: one copy per byte for binary rows instead of two. With `unit` (a row's size),
   * it also returns early — a whole number of units, fewer than `n` bytes, before the end — when it
   * holds at least one unit and the next piece is not there at once (see `wouldWait`; a FillableInput
   * decides that itself, in `fillInto`); `done` then stays false.
   */
  async takeUpTo(n: number, unit = 0): Promise<Uint8Array> {
    if (this.length >= n) return this.take(n);
    if (n - this.length > 8 * 1024 * 1024) {
      // A large request (one huge row a header may merely claim): grow with the data that actually
      // arrives instead of allocating the claimed size up front.
      await this.fill(n);
      return this.take(Math.min(n, this.length));
    }
    const out = this.alloc === undefined ? new Uint8Array(n) : this.allocate(n);
    let o = this.length;
    out.set(this.view());
    this.consume(o);
    if (this.reader !== undefined && !this.done) {
      // A file: the rest is read straight into the chunk's memory, with no read buffer in between.
      const k = await readFully(this.reader, out.subarray(o), this.base);
      o += k;
      this.base += k;
      if (o < n) this.done = true;
      return o === n ? out : this.prefix(out, o);
    }
    const filler = this.fillerNow();
    if (filler !== undefined) return this.fillFrom(filler, out, o, unit);
    while (o < n && !this.done) {
      // Whole units taken and the input has paused: hand them out now rather than wait for the rest.
      if (unit > 0 && o > 0 && o % unit === 0 && (await this.wouldWait())) break;
      const r = await this.read();
      if (r.done) {
        this.done = true;
        break;
      }
      const v = r.value;
      if (!(v instanceof Uint8Array)) {
        // Rare path (ArrayBuffer or a bad chunk type): let pull() convert or reject it.
        this.pushBack(v);
        if (!(await this.pull())) break;
        const k = Math.min(this.length, n - o);
        out.set(this.view().subarray(0, k), o);
        this.consume(k);
        o += k;
        continue;
      }
      const k = Math.min(v.length, n - o);
      out.set(v.subarray(0, k), o);
      o += k;
      this.base += k;
      if (k < v.length) this.append(v.subarray(k));
    }
    return o === n ? out : this.prefix(out, o);
  }

  /** The FillableInput, when the next bytes are its to give (none pending here from a read ahead). */
  private fillerNow(): FillableInput | undefined {
    return this.done || this.ahead !== undefined || this.pending.length > 0 ? undefined : this.filler;
  }

  /**
   * The rest of `out` (after the `o` bytes it holds) from a FillableInput: a pipe that fills the chunk's
   * memory itself (no piece copied in), and returns early when its writer pauses after whole units.
   * (`takeUpTo` takes a read started by `wouldWait` first, with its loop: bytes stay in order.)
   */
  private async fillFrom(
    filler: FillableInput,
    out: Uint8Array,
    o: number,
    unit: number,
  ): Promise<Uint8Array> {
    const n = out.length;
    const r = await filler.fillInto(out, o, unit);
    if (!Number.isInteger(r.length) || r.length < o || r.length > n) {
      throw new WireError(
        "E_WIRE_FORMAT",
        `fillInto returned ${r.length} for a buffer of ${n} bytes holding ${o}; it must return how many it holds`,
        { frame: -1, byteOffset: this.base },
      );
    }
    this.base += r.length - o;
    if (r.done) this.done = true;
    return r.length === n ? out : this.prefix(out, r.length);
  }

  /** The first `k` bytes of a buffer this source handed out: a view in the allocator's memory, else a copy. */
  prefix(out: Uint8Array, k: number): Uint8Array {
    return this.alloc === undefined ? out.slice(0, k) : out.subarray(0, k);
  }

  private allocate(n: number): Uint8Array {
    const out = this.alloc!(n);
    if (!(out instanceof Uint8Array) || out.length !== n)
      throw new WireError("E_WIRE_FORMAT", `alloc(${n}) must return a Uint8Array of ${n} bytes`, {
        frame: -1,
        byteOffset: this.base,
      });
    return out;
  }

  private pending: unknown[] = [];
  private pushBack(v: unknown): void {
    this.pending.push(v);
  }

  /** Discards `n` bytes of input without keeping them (safetensors data before the chosen tensor). */
  async discard(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.length === 0 && !(await this.pull())) return false;
      const k = Math.min(n, this.length);
      this.consume(k);
      n -= k;
    }
    return true;
  }

  /** Stops the input early (closes a Node stream's iterator, or a ByteReader). */
  async close(): Promise<void> {
    this.done = true;
    if (this.reader !== undefined) {
      await this.it.return?.();
      await this.reader.close?.();
      return;
    }
    const a = this.ahead;
    this.ahead = undefined;
    if (a !== undefined && !this.aheadSettled) {
      // A read is pending (the input paused): an async generator (a Node stream's iterator) runs
      // return() only after that read, so waiting here would hang until more input arrives.
      a.catch(() => {});
      Promise.resolve(this.it.return?.()).catch(() => {});
      return;
    }
    await this.it.return?.();
  }
}

/** Runs `f` after one turn of the event loop (after pending I/O callbacks), in Node and in browsers. */
function defer(f: () => void): void {
  if (typeof setImmediate === "function") setImmediate(f);
  else setTimeout(f, 0);
}
