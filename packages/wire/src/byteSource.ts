import { WireError } from "./errors.js";

/** What the readers accept: Node readables, async or sync iterables of bytes, or one buffer. */
export type ByteInput = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | NodeJS.ReadableStream | Uint8Array;

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

  constructor(input: ByteInput) {
    if (input instanceof Uint8Array) this.it = [input][Symbol.iterator]();
    else if (Symbol.asyncIterator in (input as object))
      this.it = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    else if (Symbol.iterator in (input as object)) this.it = (input as Iterable<unknown>)[Symbol.iterator]();
    else
      throw new WireError(
        "E_WIRE_FORMAT",
        "input must be a readable stream, an (async) iterable of Uint8Array or a Uint8Array",
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

  /** Reads one more piece; false at the end of the input. */
  async pull(): Promise<boolean> {
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      const v = r.value;
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

  /** Copies out and consumes `n` bytes: the copy owns its ArrayBuffer (transferable to a worker). */
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.start, this.start + n);
    this.consume(n);
    return out;
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

  /** Stops the input early (closes a Node stream's iterator). */
  async close(): Promise<void> {
    this.done = true;
    await this.it.return?.();
  }
}
