// PipeReader: stdin through a pipe, read ahead into a ring or straight into memory it is given (fillInto).
// The reader is driven through a real FIFO (mkfifo) written from the libuv thread pool, with a small ring
// so that the inputs here wrap it many times and fill it (reading stops, then resumes through the spare
// buffer).
import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, write } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { PipeReader } from "../src/pipeReader.js";
import { tempDir } from "./helpers/rows.js";

const dir = tempDir();
let fifos = 0;
const RING = 128 * 1024;

/** A FIFO opened at both ends: `reader` (non-blocking open, as a pipe's reader needs none) and `writer`. */
function openFifo(): { readFd: number; writeFd: number } {
  const path = join(dir, `fifo-${fifos++}`);
  const made = spawnSync("mkfifo", [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  return { readFd, writeFd };
}

/** Writes all of `bytes` (on the thread pool: a full pipe blocks there, not here). */
function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (at: number) => {
      if (at === bytes.length) return resolve();
      write(fd, bytes, at, bytes.length - at, null, (err, n) => (err ? reject(err) : step(at + n)));
    };
    step(0);
  });
}

/** Deterministic bytes: position i holds a hash of (seed, i), so a misplaced piece is seen. */
function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (Math.imul(i + 1, 2654435761) ^ Math.imul(seed, 40503)) >>> 24;
  return b;
}

/** Writes `input` to `fd` in writes of the given sizes, then closes it (runs beside the reader). */
async function writeInPieces(fd: number, input: Uint8Array, writes: readonly number[]): Promise<void> {
  let at = 0;
  for (const w of writes) {
    await writeAll(fd, input.subarray(at, at + w));
    at += w;
  }
  closeSync(fd);
}

afterAll(() => {
  spawnSync("rm", ["-rf", dir]);
});

describe("PipeReader", () => {
  it("hands out exactly the bytes written, in order, whatever the writes' sizes and the reader's pauses", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 150_000 }), { minLength: 0, maxLength: 8 }),
        fc.array(fc.constantFrom(0, 0, 0, 1, 5), { minLength: 1, maxLength: 16 }),
        fc.integer({ min: 0, max: 1000 }),
        async (writes, pauses, seed) => {
          const total = writes.reduce((a, b) => a + b, 0);
          const input = bytesOf(total, seed);
          const { readFd, writeFd } = openFifo();
          const reader = new PipeReader(readFd, RING);
          const writing = writeInPieces(writeFd, input, writes);
          const got = new Uint8Array(total);
          let o = 0;
          let k = 0;
          for await (const piece of reader) {
            expect(piece.length).toBeGreaterThan(0);
            expect(o + piece.length).toBeLessThanOrEqual(total);
            got.set(piece, o);
            o += piece.length;
            // Pauses of a few ms let the writer fill the ring, so reading stops and resumes.
            const pause = pauses[k++ % pauses.length]!;
            if (pause > 0) await new Promise((r) => setTimeout(r, pause));
          }
          await writing;
          expect(o).toBe(total);
          expect(Buffer.from(got).equals(Buffer.from(input))).toBe(true);
        },
      ),
      { numRuns: 25, seed: 20 },
    );
  }, 120_000);

  it("hands out what has arrived without waiting for more while the writer keeps the pipe open", async () => {
    const { readFd, writeFd } = openFifo();
    const reader = new PipeReader(readFd, RING);
    await writeAll(writeFd, Uint8Array.of(1, 2, 3));
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect([...(first.value as Uint8Array)]).toEqual([1, 2, 3]);
    await writeAll(writeFd, Uint8Array.of(4));
    expect([...((await reader.next()).value as Uint8Array)]).toEqual([4]);
    closeSync(writeFd);
    expect((await reader.next()).done).toBe(true);
  });

  it("ends at once on an empty input", async () => {
    const { readFd, writeFd } = openFifo();
    const reader = new PipeReader(readFd, RING);
    closeSync(writeFd);
    expect((await reader.next()).done).toBe(true);
  });

  it("close() ends a next() waiting on an idle pipe and closes the read end (the writer then gets EPIPE)", async () => {
    const { readFd, writeFd } = openFifo();
    const reader = new PipeReader(readFd, RING);
    const pending = reader.next();
    await new Promise((r) => setTimeout(r, 20));
    await reader.return();
    expect((await pending).done).toBe(true);
    expect((await reader.next()).done).toBe(true);
    // The read end is closed once the socket's handle is: then a write has no reader.
    let err: NodeJS.ErrnoException | undefined;
    for (let i = 0; i < 100 && err === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      err = await writeAll(writeFd, Uint8Array.of(1)).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
    }
    closeSync(writeFd);
    expect(err?.code).toBe("EPIPE");
  });

  it("fillInto and next() together hand out exactly the bytes written, in order, and fills keep the rules of wire's FillableInput", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 150_000 }), { minLength: 0, maxLength: 8 }),
        // Per call: a piece (0) or a fill of that many bytes, with a unit and bytes already held.
        fc.array(
          fc.record({
            size: fc.constantFrom(0, 1, 1000, 65_536, 200_000),
            unit: fc.constantFrom(0, 1, 4, 4096, 3000),
            start: fc.constantFrom(0, 0, 1, 777),
            pause: fc.constantFrom(0, 0, 0, 1, 5),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        async (writes, calls, seed) => {
          const total = writes.reduce((a, b) => a + b, 0);
          const input = bytesOf(total, seed);
          const { readFd, writeFd } = openFifo();
          const reader = new PipeReader(readFd, RING);
          const writing = writeInPieces(writeFd, input, writes);
          const got = new Uint8Array(total);
          let o = 0;
          for (let k = 0; ; k++) {
            const c = calls[k % calls.length]!;
            if (c.size === 0) {
              const r = await reader.next();
              if (r.done) break;
              got.set(r.value, o);
              o += r.value.length;
            } else {
              const start = Math.min(c.start, c.size - 1);
              const into = new Uint8Array(c.size).fill(0xa5, 0, start);
              const r = await reader.fillInto(into, start, c.unit);
              expect(r.length).toBeGreaterThanOrEqual(start);
              expect(r.length).toBeLessThanOrEqual(c.size);
              expect(into.subarray(0, start).every((b) => b === 0xa5)).toBe(true); // held bytes untouched
              // Short without done: only a pause after a whole number (≥ 1) of units.
              if (r.length < c.size && !r.done) {
                expect(c.unit).toBeGreaterThan(0);
                expect(r.length % c.unit).toBe(0);
                expect(r.length).toBeGreaterThanOrEqual(c.unit);
              }
              got.set(into.subarray(start, r.length), o);
              o += r.length - start;
              if (r.done) {
                expect((await reader.next()).done).toBe(true);
                break;
              }
            }
            if (c.pause > 0) await new Promise((r) => setTimeout(r, c.pause));
          }
          await writing;
          expect(o).toBe(total);
          expect(Buffer.from(got).equals(Buffer.from(input))).toBe(true);
        },
      ),
      { numRuns: 25, seed: 21 },
    );
  }, 120_000);

  it("fillInto returns the whole rows that have arrived while the writer pauses, and waits inside a row", async () => {
    const { readFd, writeFd } = openFifo();
    const reader = new PipeReader(readFd, RING);
    const rows = bytesOf(100, 3); // rows of 10 bytes
    await writeAll(writeFd, rows.subarray(0, 10));
    const a = new Uint8Array(1000);
    expect(await reader.fillInto(a, 0, 10)).toEqual({ length: 10, done: false });
    expect([...a.subarray(0, 10)]).toEqual([...rows.subarray(0, 10)]);
    // Two and a half rows: the fill waits for the rest of the third, then returns the three.
    await writeAll(writeFd, rows.subarray(10, 35));
    const b = new Uint8Array(1000);
    let settled = false;
    const pending = reader.fillInto(b, 0, 10).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    await writeAll(writeFd, rows.subarray(35, 40));
    expect(await pending).toEqual({ length: 30, done: false });
    expect([...b.subarray(0, 30)]).toEqual([...rows.subarray(10, 40)]);
    closeSync(writeFd);
    expect(await reader.fillInto(b, 0, 10)).toEqual({ length: 0, done: true });
  });

  it("never writes into a fill's memory once the fill has returned, whatever arrives next", async () => {
    // Rows of 4,096 bytes: after a pause at a row boundary the fill returns; the bytes written next (more
    // than a pipe holds, so several reads, some ending inside a row) must land elsewhere, not behind it.
    for (const tail of [4096 * 40, 4096 * 40 + 1000, 100_000]) {
      const { readFd, writeFd } = openFifo();
      const reader = new PipeReader(readFd, RING);
      const input = bytesOf(8192 + tail, tail);
      const first = new Uint8Array(1 << 20);
      await writeAll(writeFd, input.subarray(0, 5000));
      await new Promise((r) => setTimeout(r, 5));
      const filling = reader.fillInto(first, 0, 4096);
      await writeAll(writeFd, input.subarray(5000, 8192)); // completes row 1, then the writer pauses
      expect(await filling).toEqual({ length: 8192, done: false });
      expect([...first.subarray(0, 8192)]).toEqual([...input.subarray(0, 8192)]);
      first.fill(0xee);
      const writing = writeAll(writeFd, input.subarray(8192)).then(() => closeSync(writeFd));
      const rest = new Uint8Array(tail);
      let o = 0;
      for (;;) {
        const r = await reader.fillInto(rest, o, 4096);
        o = r.length;
        if (r.done || o === rest.length) break;
      }
      await writing;
      expect(o).toBe(tail);
      expect(Buffer.from(rest).equals(Buffer.from(input.subarray(8192)))).toBe(true);
      expect(first.every((b) => b === 0xee)).toBe(true);
      reader.close();
    }
  });

  it("close() ends a fillInto waiting inside a row: it returns what it holds, done", async () => {
    const { readFd, writeFd } = openFifo();
    const reader = new PipeReader(readFd, RING);
    await writeAll(writeFd, Uint8Array.of(1, 2, 3));
    const into = new Uint8Array(100);
    const pending = reader.fillInto(into, 0, 10);
    await new Promise((r) => setTimeout(r, 20));
    reader.close();
    expect(await pending).toEqual({ length: 3, done: true });
    closeSync(writeFd);
  });

  it("rejects a ring that is not a whole number of 64 KiB blocks of at least 128 KiB", () => {
    expect(() => new PipeReader(-1, 100_000)).toThrow(RangeError);
    expect(() => new PipeReader(-1, 65_536)).toThrow(RangeError);
  });
});
