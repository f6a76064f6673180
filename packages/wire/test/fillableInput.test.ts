// A FillableInput (a pipe that reads straight into memory it is given): the framers fill binary rows'
// chunks through `fillInto` — the same chunks as from the bytes in one piece, in the allocator's memory —
// hand out whole rows when the input pauses, and keep the rows before an error.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ByteChunk,
  encodeNpy,
  encodeRaw,
  type FillableInput,
  type FillResult,
  frameChunks,
  type ReadOptions,
  WireError,
} from "../src/index.js";
import { makeBatch } from "./helpers.js";

/**
 * A FillableInput over `pieces`, written as a pipe's writer would: before each piece listed in `pauses`
 * the writer waits until `release(i)` (or, with `autoRelease`, one turn of the event loop). Before piece
 * `failAt` the input fails with `error`. Logs `fill` per call, `wait i` at a pause, `piece i` as piece i
 * starts to arrive.
 */
function scriptedInput(
  pieces: readonly Uint8Array[],
  opts: { pauses?: ReadonlySet<number>; autoRelease?: boolean; failAt?: number; error?: Error } = {},
) {
  const log: string[] = [];
  const passed = new Set<number>();
  const waiting = new Map<number, () => void>();
  let i = 0; // current piece
  let at = 0; // offset in it
  const fills: Uint8Array[] = [];

  async function arrive(): Promise<void> {
    if (at === 0 && opts.pauses?.has(i) && !passed.has(i)) {
      log.push(`wait ${i}`);
      await new Promise<void>((resolve) => {
        if (opts.autoRelease) setImmediate(resolve);
        else waiting.set(i, resolve);
      });
      passed.add(i);
    }
    if (at === 0) log.push(`piece ${i}`);
  }
  const paused = () => at === 0 && opts.pauses?.has(i) === true && !passed.has(i);
  const failing = () => opts.failAt !== undefined && i === opts.failAt;

  const input: FillableInput & AsyncIterator<Uint8Array> = {
    async fillInto(into: Uint8Array, start: number, unit: number): Promise<FillResult> {
      log.push("fill");
      fills.push(into);
      let filled = start;
      while (filled < into.length) {
        if (failing()) {
          if (filled > 0) return { length: filled, done: false };
          throw opts.error;
        }
        if (i === pieces.length) return { length: filled, done: true };
        if (paused() && unit > 0 && filled > 0 && filled % unit === 0) return { length: filled, done: false };
        await arrive();
        const p = pieces[i]!;
        const k = Math.min(p.length - at, into.length - filled);
        into.set(p.subarray(at, at + k), filled);
        filled += k;
        at += k;
        if (at === p.length) {
          i++;
          at = 0;
        }
      }
      return { length: filled, done: false };
    },
    async next(): Promise<IteratorResult<Uint8Array>> {
      if (failing()) throw opts.error;
      if (i === pieces.length) return { value: undefined, done: true };
      await arrive();
      const p = pieces[i]!.subarray(at);
      i++;
      at = 0;
      return { value: p, done: false };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { input, log, fills, release: (k: number) => waiting.get(k)?.() };
}

/** Waits (turns of the event loop, at most 1,000) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let k = 0; k < 1000 && !cond(); k++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, inside it). */
function cutAt(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const cuts = [...new Set(at.filter((a) => a > 0 && a < bytes.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.slice(from, c));
    from = c;
  }
  return out.filter((p) => p.length > 0);
}

interface Cut {
  firstRow: number;
  rows: number;
  byteOffset: number;
  bytes: number[];
}
const cutOf = (c: ByteChunk): Cut => ({
  firstRow: c.firstRow,
  rows: c.rows,
  byteOffset: c.byteOffset,
  bytes: Array.from(c.bytes),
});

const V = 5;
const B = makeBatch(23, V, 3);
const raw = encodeRaw(B, "f32");
const npy = encodeNpy(B, "f32");

describe("frameChunks on a FillableInput", () => {
  it.each([
    ["raw f32", raw, { format: "f32", vocab: V, maxBatchRows: 4 }],
    [".npy", npy, { format: "npy", maxBatchRows: 4 }],
  ] as const)(
    "%s: the rows of the bytes in one piece, in order, filled into the allocator's memory, whatever the pieces and pauses",
    async (_name, bytes, readOpts) => {
      // The expected rows: the bytes in one piece (no FillableInput), decoded independently below.
      const rowBytes = V * 4;
      const dataAt = bytes.length - B.rows * rowBytes;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
          fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 6 }),
          async (at, pauseAt) => {
            const pieces = cutAt(bytes, at);
            const s = scriptedInput(pieces, { pauses: new Set(pauseAt), autoRelease: true });
            const allocated = new Set<ArrayBufferLike>();
            const alloc = (n: number) => {
              const b = new Uint8Array(new SharedArrayBuffer(n));
              allocated.add(b.buffer);
              return b;
            };
            const got: Cut[] = [];
            for await (const c of frameChunks(s.input, { ...readOpts, alloc })) {
              expect(allocated.has(c.bytes.buffer)).toBe(true);
              got.push(cutOf(c));
            }
            // Every row once, in order, at its byte offset, with its own bytes.
            let row = 0;
            for (const c of got) {
              expect(c.firstRow).toBe(row);
              expect(c.rows).toBeGreaterThan(0);
              expect(c.rows).toBeLessThanOrEqual(4);
              expect(c.byteOffset).toBe(dataAt + row * rowBytes);
              expect(c.bytes).toEqual(
                Array.from(bytes.subarray(c.byteOffset, c.byteOffset + c.rows * rowBytes)),
              );
              row += c.rows;
            }
            expect(row).toBe(B.rows);
            // Filled straight into chunk memory; raw rows (no header read as pieces first) only so.
            for (const f of s.fills) expect(allocated.has(f.buffer)).toBe(true);
            if (readOpts.format === "f32") expect(s.log).toContain("fill");
          },
        ),
        { numRuns: 150, seed: 7 },
      );
    },
  );

  it("hands out the whole rows it holds when the input pauses, before the next row is written", async () => {
    const row = (r: number) => raw.subarray(r * V * 4, (r + 1) * V * 4);
    // Row 1 arrives in two pieces, with a pause between them: no early return inside a row.
    const half = (V * 4) / 2 + 2;
    const s = scriptedInput([row(0), row(1).subarray(0, half), row(1).subarray(half), row(2)], {
      pauses: new Set([1, 2, 3]),
    });
    const it = frameChunks(s.input, { format: "f32", vocab: V })[Symbol.asyncIterator]();
    const first = (await it.next()).value as ByteChunk;
    s.log.push("chunk 0");
    const second = it.next();
    await until(() => s.log.includes("wait 1"));
    s.release(1);
    await until(() => s.log.includes("wait 2"));
    s.release(2);
    const secondChunk = (await second).value as ByteChunk;
    s.log.push("chunk 1");
    const third = it.next();
    await until(() => s.log.includes("wait 3"));
    s.release(3);
    const thirdChunk = (await third).value as ByteChunk;
    expect((await it.next()).done).toBe(true);
    expect([first, secondChunk, thirdChunk].map((c) => [c.firstRow, c.rows])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    // Chunk 0 out while the writer waits before piece 1; chunk 1 only once row 1 is whole, before row 2.
    expect(s.log.filter((l) => l !== "fill")).toEqual([
      "piece 0",
      "chunk 0",
      "wait 1",
      "piece 1",
      "wait 2",
      "piece 2",
      "chunk 1",
      "wait 3",
      "piece 3",
    ]);
  });

  it("yields the whole rows before an error, then throws it", async () => {
    const error = new Error("EIO: the pipe failed");
    const rowBytes = V * 4;
    // Rows 0–2 and half of row 3, then the failure.
    const s = scriptedInput([raw.subarray(0, 3 * rowBytes + 7), raw.subarray(3 * rowBytes + 7)], {
      failAt: 1,
      error,
    });
    const rows: number[] = [];
    let thrown: unknown;
    try {
      for await (const c of frameChunks(s.input, { format: "f32", vocab: V })) rows.push(c.firstRow, c.rows);
    } catch (err) {
      thrown = err;
    }
    expect(rows).toEqual([0, 3]);
    expect(thrown).toBe(error);
  });

  it("rejects a fillInto that claims more bytes than its buffer, or fewer than it was given", async () => {
    for (const bad of [(n: number) => n + 1, (_n: number, start: number) => start - 1, () => 1.5]) {
      const input: FillableInput = {
        async fillInto(into, start) {
          return { length: bad(into.length, start), done: false };
        },
        async *[Symbol.asyncIterator]() {},
      };
      const reading = (async () => {
        for await (const _ of frameChunks(input, { format: "f32", vocab: V } satisfies ReadOptions));
      })();
      await expect(reading).rejects.toThrow(WireError);
      await expect(reading).rejects.toMatchObject({ code: "E_WIRE_FORMAT" });
    }
  });
});
