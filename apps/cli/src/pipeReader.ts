import { type OnReadOpts, Socket, type SocketConstructorOpts } from "node:net";
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

/**
 * Reads a pipe or socket descriptor (stdin under `cat file |`) as pieces of bytes, for wire's framer.
 *
 * Why not `process.stdin`: a Node stream reads a pipe 64 KiB at a time into a fresh Buffer, only as far
 * as its 16 KiB high-water mark ahead of its reader, so while the framer waits for the pool nothing
 * reads the pipe, the writer blocks, and every chunk then costs dozens of wake-ups of both processes
 * (measured: 1,500 rows/s through `cat |` against 11,000 from the path, V = 32,000). Here the kernel
 * reads straight into one ring (Node's `onread` buffer: no allocation per read, no stream machinery),
 * continuously until the ring is full, on the event loop (a blocking read on another thread would keep
 * the process from exiting on Ctrl-C while the pipe is idle).
 *
 * Each piece is a view into the ring, valid until the next `next()` call: wire's ByteSource copies every
 * piece (into a chunk or its own buffer) before it asks for the next one. Memory: the ring, whatever the
 * input's size. Bytes read before an error are handed out before the error is thrown.
 */
export class PipeReader implements AsyncIterableIterator<Uint8Array> {
  readonly #ring: Uint8Array;
  readonly #size: number;
  readonly #spare = new Uint8Array(SPARE_BYTES);
  #head = 0; // bytes read into the ring so far
  #tail = 0; // bytes released by the consumer so far (head − tail are buffered)
  #lent = 0; // length of the piece handed out last, released at the next `next()`
  #full = false; // reading stopped because the ring was full
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
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
      this.#notify();
    });
    this.#socket.on("error", (err) => {
      this.#error = err;
      this.#notify();
    });
    this.#socket.resume();
  }

  /** The ring's free room where the next read may land, or the spare buffer while the ring is full. */
  #nextBuffer(): Uint8Array {
    const free = this.#size - (this.#head - this.#tail);
    if (free === 0) return this.#spare;
    const at = this.#head % this.#size;
    return this.#ring.subarray(at, at + Math.min(free, this.#size - at, MAX_READ));
  }

  /** `n` bytes were read into `into`; false stops reading (the ring is full) until the consumer frees room. */
  #read(n: number, into: Uint8Array): boolean {
    if (into === this.#spare) {
      // Reading resumed with the spare buffer in place: its bytes go to the ring, which has the room.
      const at = this.#head % this.#size;
      const k = Math.min(n, this.#size - at);
      this.#ring.set(into.subarray(0, k), at);
      this.#ring.set(into.subarray(k, n), 0);
    }
    this.#head += n;
    this.#notify();
    if (this.#head - this.#tail < this.#size) return true;
    this.#full = true;
    return false;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    this.#tail += this.#lent;
    this.#lent = 0;
    // Reading resumes once half the ring is free (not at every piece: fewer stops and starts).
    if (this.#full && !this.#closed && this.#size - (this.#head - this.#tail) >= this.#size / 2) {
      this.#full = false;
      this.#socket.resume();
    }
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

  /** Stops reading (a pending `next()` ends) and closes the descriptor. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Same as `return()`, synchronously; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#notify();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
