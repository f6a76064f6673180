import { type OnReadOpts, Socket, type SocketConstructorOpts } from "node:net";
import type { FillableInput, FillResult } from "@logitstream/wire";
import { pageAligned } from "./pageAligned.js";

/**
 * Bytes read ahead of the consumer. A pipe holds only 64 KiB: while the framer waits for the pool,
 * the writer (`cat`, a model) must not wait for us, so the ring takes its bytes meanwhile; 16 MiB is a
 * few 4 MiB chunks, and a fixed bound whatever the input's size.
 */
const RING_BYTES = 16 << 20;
/** Largest read asked of the kernel (a pipe gives at most what it holds per read, 64 KiB by default). */
const MAX_READ = 1 << 20;
/**
 * Largest piece handed out. wire's ByteSource copies the part of a piece past a chunk's end once more
 * (into its own buffer), so pieces are kept small beside a chunk (4 MiB): about 3% copied twice.
 */
const MAX_PIECE = 256 << 10;
/** Where a read lands while the ring is full (see `#nextBuffer`); the ring resumes with at least this free. */
const SPARE_BYTES = 64 << 10;

/** How long a fill holding whole rows waits for more bytes before it returns them (see `#checkPause`). */
const PAUSE_MS = 1;

/** A pending `fillInto`: the memory being filled, and how to settle it. */
interface Fill {
  readonly into: Uint8Array;
  filled: number;
  readonly unit: number;
  readonly resolve: (r: FillResult) => void;
}

/**
 * Reads a pipe or socket descriptor (stdin under `cat file |`) for wire's framers: as pieces of bytes
 * (the async iterator), and straight into memory it is given (`fillInto`, wire's FillableInput: binary
 * rows land in the pool's slabs with no copy on the main thread).
 *
 * Why not `process.stdin`: a Node stream reads a pipe 64 KiB at a time into a fresh Buffer, only as far
 * as its 16 KiB high-water mark ahead of its reader, so while the framer waits for the pool nothing
 * reads the pipe, the writer blocks, and every chunk then costs dozens of wake-ups of both processes
 * (measured: 1,500 rows/s through `cat |` against 11,000 from the path, V = 32,000). Here the kernel
 * reads with no allocation per read and no stream machinery (Node's `onread` buffer), on the event loop
 * (a blocking read on another thread would keep the process from exiting on Ctrl-C while the pipe is
 * idle): into a pending fill's memory while the framer waits for bytes, else into one ring, continuously
 * until the ring is full.
 *
 * Where a read lands is chosen when the read before it is handed over (that is when Node asks for the
 * next buffer), so a fill's memory is offered to the kernel only while a read into it cannot go wrong:
 * while the bytes held end inside a row. Once they end on a row boundary, the next read goes to the ring
 * (and is copied into the fill if it comes soon): if the writer pauses there (nothing more within
 * PAUSE_MS), the fill returns its whole rows, and its memory, handed on to the pool, is never written
 * behind its back.
 *
 * Each piece is a view into the ring, valid until the next `next()` or `fillInto()` call: wire's
 * ByteSource copies every piece (into a chunk or its own buffer) before it asks for more. Memory: the
 * ring, whatever the input's size. Bytes read before an error are handed out before the error is thrown.
 */
export class PipeReader implements AsyncIterableIterator<Uint8Array>, FillableInput {
  readonly #ring: Uint8Array;
  readonly #size: number;
  readonly #spare = new Uint8Array(SPARE_BYTES);
  #head = 0; // bytes read into the ring so far
  #tail = 0; // bytes released by the consumer so far (head − tail are buffered)
  #lent = 0; // length of the piece handed out last, released at the next `next()` / `fillInto()`
  #full = false; // reading stopped because the ring was full
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #fill: Fill | undefined;
  /** The piece of the pending fill's memory the next read lands in; undefined while it lands in the ring. */
  #armed: Uint8Array | undefined;
  #reads = 0; // reads handed over so far: a pause check sees whether any came meanwhile
  readonly #socket: Socket;

  /**
   * Starts reading `fd` (a FIFO or a socket) at once; the reader owns it and closes it.
   * @param ringBytes the read-ahead, a multiple of 64 KiB of at least 128 KiB (tests use small rings)
   */
  constructor(fd: number, ringBytes = RING_BYTES) {
    if (!Number.isInteger(ringBytes / SPARE_BYTES) || ringBytes < 2 * SPARE_BYTES)
      throw new RangeError(`ringBytes must be a multiple of ${SPARE_BYTES} of at least ${2 * SPARE_BYTES}`);
    this.#size = ringBytes;
    this.#ring = pageAligned(ringBytes);
    // `onread` is honoured by the constructor since Node 12 (its typings list it only for connect()).
    const opts: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd,
      readable: true,
      writable: false,
      onread: { buffer: () => this.#nextBuffer(), callback: (n, into) => this.#read(n, into) },
    };
    this.#socket = new Socket(opts);
    this.#socket.on("end", () => {
      this.#ended = true;
      this.#settle(true);
      this.#notify();
    });
    this.#socket.on("error", (err) => {
      this.#error = err;
      // The bytes held go out first; the next call throws.
      this.#settle(false);
      this.#notify();
    });
    this.#socket.resume();
  }

  /**
   * Where the next read lands: the pending fill's memory while its bytes end inside a row (see the class
   * comment), else the ring's free room, or the spare buffer while the ring is full.
   */
  #nextBuffer(): Uint8Array {
    const f = this.#fill;
    if (f !== undefined && !atWholeUnits(f)) {
      const at = f.filled;
      this.#armed = f.into.subarray(at, at + Math.min(f.into.length - at, MAX_READ));
      return this.#armed;
    }
    this.#armed = undefined;
    const free = this.#size - (this.#head - this.#tail);
    if (free === 0) return this.#spare;
    const at = this.#head % this.#size;
    return this.#ring.subarray(at, at + Math.min(free, this.#size - at, MAX_READ));
  }

  /** `n` bytes were read into `into`; false stops reading (the ring is full) until the consumer frees room. */
  #read(n: number, into: Uint8Array): boolean {
    this.#reads++;
    const f = this.#fill;
    if (into === this.#armed && f !== undefined) {
      // Straight into the fill's memory (a fill is never settled while its memory is armed).
      f.filled += n;
    } else {
      if (into === this.#spare) {
        // Reading resumed with the spare buffer in place: its bytes go to the ring, which has the room.
        const at = this.#head % this.#size;
        const k = Math.min(n, this.#size - at);
        this.#ring.set(into.subarray(0, k), at);
        this.#ring.set(into.subarray(k, n), 0);
      }
      this.#head += n;
      if (f !== undefined) this.#drainInto(f);
    }
    if (f !== undefined) {
      if (f.filled === f.into.length) this.#settle(false);
      else if (atWholeUnits(f)) this.#checkPause(f);
    }
    this.#notify();
    if (this.#head - this.#tail < this.#size) return true;
    this.#full = true;
    return false;
  }

  /** Copies the ring's bytes into the fill, as many as it has room for. */
  #drainInto(f: Fill): void {
    let k = Math.min(this.#head - this.#tail, f.into.length - f.filled);
    while (k > 0) {
      const at = this.#tail % this.#size;
      const run = Math.min(k, this.#size - at);
      f.into.set(this.#ring.subarray(at, at + run), f.filled);
      f.filled += run;
      this.#tail += run;
      k -= run;
    }
  }

  /**
   * The fill holds whole units: it returns them if nothing more arrives within PAUSE_MS (a writer sending
   * a row per step has paused). Not sooner: a fast writer (`cat`) refills the pipe we just drained a few
   * microseconds later, and a check at the next turn of the event loop would often come first and cut
   * chunks of a row or two (measured: a third to a half of the chunks, with rows of 128 KiB).
   */
  #checkPause(f: Fill): void {
    const reads = this.#reads;
    setTimeout(() => {
      if (this.#fill === f && this.#reads === reads && this.#armed === undefined) this.#settle(false);
    }, PAUSE_MS);
  }

  /** Resolves the pending fill (if any) with the bytes it holds. */
  #settle(done: boolean): void {
    const f = this.#fill;
    if (f === undefined) return;
    this.#fill = undefined;
    f.resolve({ length: f.filled, done });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Releases the piece handed out last; reading resumes once half the ring is free (fewer stops and starts). */
  #release(): void {
    this.#tail += this.#lent;
    this.#lent = 0;
    this.#resumeIfRoom();
  }

  #resumeIfRoom(): void {
    if (this.#full && !this.#closed && this.#size - (this.#head - this.#tail) >= this.#size / 2) {
      this.#full = false;
      this.#socket.resume();
    }
  }

  /** wire's FillableInput: the ring's bytes first (copied), then reads straight into `into`. */
  fillInto(into: Uint8Array, start: number, unit: number): Promise<FillResult> {
    if (this.#fill !== undefined || this.#wake !== undefined)
      throw new Error("PipeReader: fillInto called while a next() or fillInto() is pending");
    this.#release();
    const f: Fill = { into, filled: start, unit, resolve: () => {} };
    this.#drainInto(f);
    this.#resumeIfRoom();
    if (this.#closed) return Promise.resolve({ length: f.filled, done: true });
    if (f.filled === into.length) return Promise.resolve({ length: f.filled, done: false });
    if (this.#error !== undefined) {
      // The bytes held go out first (whole rows reach the output); the next call, holding none, throws.
      return f.filled > 0 ? Promise.resolve({ length: f.filled, done: false }) : Promise.reject(this.#error);
    }
    if (this.#ended) return Promise.resolve({ length: f.filled, done: true });
    return new Promise((resolve) => {
      this.#fill = { into, filled: f.filled, unit, resolve };
      if (atWholeUnits(f)) this.#checkPause(this.#fill);
    });
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#fill !== undefined) throw new Error("PipeReader: next() called while a fillInto() is pending");
    this.#release();
    while (!this.#closed) {
      const buffered = this.#head - this.#tail;
      if (buffered > 0) {
        const at = this.#tail % this.#size;
        this.#lent = Math.min(buffered, this.#size - at, MAX_PIECE);
        return { value: this.#ring.subarray(at, at + this.#lent), done: false };
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) break;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return { value: undefined, done: true };
  }

  /** Stops reading (a pending `next()` or `fillInto()` ends) and closes the descriptor. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Same as `return()`, synchronously; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Destroying the socket stops its reads at once, so the fill's memory is no longer armed.
    this.#socket.destroy();
    this.#settle(true);
    this.#notify();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Whether a fill holds a whole number (≥ 1) of units: where a pause returns it early. */
function atWholeUnits(f: { filled: number; unit: number }): boolean {
  return f.unit > 0 && f.filled > 0 && f.filled % f.unit === 0;
}
