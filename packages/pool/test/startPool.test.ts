import { AbortedError, InvalidLogitsError, LogitstreamError } from "@logitstream/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PoolClosedError, PoolError, WorkerCrashError } from "../src/errors.js";
import type { Pool, StreamTotals } from "../src/poolTypes.js";
// @ts-expect-error: a plain .mjs fixture without type declarations
import { toyKernels } from "./fixtures/toyKernels.mjs";
import { batches, concatBytes, testPool } from "./helpers.js";

const pools: Pool[] = [];
function pool(...args: Parameters<typeof testPool>): Pool {
  const p = testPool(...args);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

// One plain pool per thread count (toy kernels, no faults, default options), shared by the tests that
// check only what a run outputs: starting worker threads is most of this file's cost. A test that checks
// start-up, stats, faults, cancellation or shutdown takes a fresh pool from pool() instead.
const sharedPools = new Map<number, Pool>();
function sharedPool(threads: number): Pool {
  let p = sharedPools.get(threads);
  if (p === undefined) {
    p = testPool({ threads });
    sharedPools.set(threads, p);
  }
  return p;
}
afterAll(async () => {
  await Promise.all([...sharedPools.values()].map((p) => p.destroy()));
});

const decoder = new TextDecoder();
/** `pnpm test:full` (LOGITSTREAM_FULL_TESTS=1) runs the long cases at their full size. */
const FULL = process.env.LOGITSTREAM_FULL_TESTS === "1";

async function collectBytes(
  p: Pool,
  source: Iterable<never> | AsyncIterable<never>,
  kind: "score" | "sample",
) {
  const parts: Uint8Array[] = [];
  const job =
    kind === "score"
      ? ({ kind: "score", output: "ndjson" } as const)
      : ({ kind: "sample", params: { seed: 3 }, output: "ndjson" } as const);
  for await (const r of p.run(source, job)) parts.push(r.bytes!);
  return decoder.decode(concatBytes(parts));
}

function rowsOf(ndjson: string): number[] {
  return ndjson
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).row as number);
}

describe("run (streaming)", () => {
  it("yields every row exactly once, in input order, as records made in the workers", async () => {
    const p = pool({ threads: 2, maxInFlight: 4 });
    const text = await collectBytes(p, batches(500, 7, 16) as never, "sample");
    expect(rowsOf(text)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(p.stats().tasks).toBe(Math.ceil(500 / 7));
  });

  it("gives byte-identical output for 1, 2 or 3 threads and any batch size", async () => {
    // One pool per thread count (worker start-up is the cost here); each run is independent.
    const byThreads = new Map([1, 2, 3].map((t) => [t, sharedPool(t)] as const));
    const reference = await collectBytes(byThreads.get(1)!, batches(300, 300, 16) as never, "sample");
    for (const [threads, batchRows] of [
      [1, 1],
      [2, 7],
      [3, 64],
      [2, 299],
    ] as const) {
      const text = await collectBytes(
        byThreads.get(threads)!,
        batches(300, batchRows, 16) as never,
        "sample",
      );
      expect(text).toBe(reference);
    }
    const inline = await collectBytes(
      pool({ threads: 1, inlineThreshold: 1e9 }),
      batches(300, 13, 16) as never,
      "sample",
    );
    expect(inline).toBe(reference);
  });

  it("accumulates the score summary in global row order, the same for any split", async () => {
    const totals: StreamTotals[] = [];
    const p = sharedPool(2);
    for (const batchRows of [1, 10, 333]) {
      let last: StreamTotals | undefined;
      for await (const r of p.run(batches(1000, batchRows, 8), {
        kind: "score",
        output: "ndjson",
      })) {
        last = r.totals;
      }
      totals.push(last!);
    }
    expect(totals[0]!.rows).toBe(1000);
    expect(totals[0]!.scored).toBe(1000 - Math.floor(1000 / 3));
    expect(totals[1]).toEqual(totals[0]);
    expect(totals[2]).toEqual(totals[0]);
  });

  it("keeps at most maxInFlight batches outstanding with a large source and a slow consumer", async () => {
    // 2,000 batches of 10 rows under LOGITSTREAM_FULL_TESTS=1, 500 in the fast loop: either is over a
    // hundred times the window of 3, so a window or a slab count that grew with the source would show.
    const BATCHES = FULL ? 2000 : 500;
    const counter = { pulled: 0 };
    const p = pool({ threads: 2, maxInFlight: 3 });
    let consumed = 0;
    let worstGap = 0;
    for await (const r of p.run(batches(BATCHES * 10, 10, 8, counter), { kind: "score", output: "ndjson" })) {
      consumed++;
      worstGap = Math.max(worstGap, counter.pulled - consumed);
      expect(r.firstRow).toBe((consumed - 1) * 10);
      // A slow consumer: several event-loop turns per result while the workers could race ahead.
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(consumed).toBe(BATCHES);
    expect(worstGap).toBeLessThanOrEqual(3);
    expect(p.stats().peakOutstanding).toBeLessThanOrEqual(3);
    expect(p.stats().peakInFlight).toBeLessThanOrEqual(3);
    // Staging buffers are recycled: bounded by what is in flight, not by the number of batches.
    expect(p.stats().slabsAllocated).toBeLessThanOrEqual(3 + 2);
  });

  it("reads batches that already live in shared memory in place, without staging a copy", async () => {
    const p = pool({ threads: 2 });
    const shared = [...batches(100, 10, 8)].map((b) => {
      const data = new Float32Array(new SharedArrayBuffer(b.data.byteLength));
      data.set(b.data);
      return { ...b, data };
    });
    let rows = 0;
    for await (const r of p.run(shared, { kind: "score" })) rows += r.rows;
    expect(rows).toBe(100);
    expect(p.stats().slabsAllocated).toBe(0);
  });

  it("returns the typed result arrays on their own moved buffers, not on shared memory", async () => {
    const p = sharedPool(1);
    for await (const r of p.run(batches(20, 10, 8), { kind: "score" })) {
      expect(r.logprobs).toBeInstanceOf(Float64Array);
      expect(r.ranks!.buffer).toBeInstanceOf(ArrayBuffer);
      expect(r.ranks!.byteLength).toBe(r.ranks!.buffer.byteLength);
      expect(r.bytes).toBeUndefined();
    }
  });

  it("moves result buffers back from the worker instead of cloning them", async () => {
    const p = pool({ threads: 1 });
    const moved: unknown[] = [];
    for await (const r of p.run(batches(30, 10, 8), { kind: "sample" })) {
      moved.push((r as unknown as { previousMoved: unknown }).previousMoved);
    }
    expect(moved).toEqual([null, true, true]);
  });

  it("decodes raw byte chunks in the worker and gives the same output as decoded batches", async () => {
    const chunks = [...batches(200, 25, 8)].map((b) => ({
      format: "toy",
      firstRow: b.firstRow,
      rows: b.rows,
      vocab: b.vocab,
      byteOffset: b.firstRow * b.vocab * 4,
      bytes: new Uint8Array(b.data.buffer),
    }));
    const fromBatches = await collectBytes(sharedPool(2), batches(200, 25, 8) as never, "sample");
    const inWorker = await collectBytes(sharedPool(2), chunks as never, "sample");
    const onMain = await collectBytes(pool({ threads: 2, parse: "main" }), chunks as never, "sample");
    expect(inWorker).toBe(fromBatches);
    expect(onMain).toBe(fromBatches);
  });

  it("takes targets given beside the input over the batches' own", async () => {
    const p = sharedPool(1);
    const seen: number[] = [];
    for await (const r of p.run(
      batches(30, 10, 8),
      { kind: "score", output: "ndjson" },
      {
        targets: (firstRow, rows) => {
          seen.push(firstRow);
          return new Int32Array(rows).fill(5);
        },
      },
    )) {
      for (const line of decoder.decode(r.bytes).trim().split("\n")) expect(JSON.parse(line).target).toBe(5);
    }
    expect(seen).toEqual([0, 10, 20]);
  });
});

describe("promise API", () => {
  it("splits a large batch over the threads and merges the parts in row order", async () => {
    const [b] = [...batches(64, 64, 32)];
    const expected = toyKernels.sampleBatch(
      b!.data,
      64,
      32,
      { seed: 1 },
      {
        firstRow: 100,
        logprobs: 0,
        processed: false,
        onError: "throw",
      },
    );
    const p = pool({ threads: 2 });
    const got = await p.sample({ ...b!, data: b!.data.slice(), firstRow: 100 }, { seed: 1 });
    expect(p.stats().tasks).toBeGreaterThan(1);
    expect(got.tokens).toEqual(expected.tokens);
    expect(got.logprobs).toEqual(expected.logprobs);
  });

  it("writes softmax parts in place into one shared output array", async () => {
    const [b] = [...batches(40, 40, 16)];
    const p = sharedPool(2);
    const probs = await p.softmax({ ...b!, data: b!.data.slice() }, { log: true });
    expect(probs.length).toBe(40 * 16);
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBe(Math.fround(b!.data[i]! * 2 + 1));
  });

  it("stages a large unshared batch part by part into at most maxInFlight recycled slabs", async () => {
    // 40 rows of 2^18: 16 MiB parts of 16 rows (16 + 16 + 8), at most 2 in flight with 1 thread.
    const vocab = 2 ** 18;
    const rows = 40;
    const data = new Float32Array(rows * vocab);
    for (let r = 0; r < rows; r++) data[r * vocab + r] = r / 4;
    const targets = Int32Array.from({ length: rows }, (_, r) => r);
    const p = pool({ threads: 1 });
    const got = await p.score({ data, rows, vocab, targets });
    expect(p.stats()).toMatchObject({ tasks: 3, inlineTasks: 0 });
    expect(p.stats().slabsAllocated).toBeLessThanOrEqual(2);
    expect(Array.from(got.logprobs)).toEqual(Array.from({ length: rows }, (_, r) => r / 4));
  });

  it("dispatches no part after a failed one and reports the failing row", async () => {
    const vocab = 2 ** 18;
    const rows = 40;
    const data = new Float32Array(rows * vocab);
    data[5 * vocab] = Number.NaN; // row 5, in the first part
    const p = pool({ threads: 1, maxInFlight: 1 });
    const error = await p.score({ data, rows, vocab }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidLogitsError);
    expect((error as InvalidLogitsError).row).toBe(5);
    expect(p.stats().tasks).toBe(1);
  });

  it("rejects a batch whose data is shorter than rows × vocab, inline or on the workers", async () => {
    for (const inlineThreshold of [0, Number.POSITIVE_INFINITY]) {
      const p = pool({ threads: 1, inlineThreshold });
      const error = await p.score({ data: new Float32Array(10), rows: 3, vocab: 4 }).catch((e) => e);
      expect(error).toBeInstanceOf(PoolError);
      expect((error as PoolError).code).toBe("E_BAD_BATCH");
      expect((error as PoolError).message).toContain("10 values, fewer than rows × vocab = 12");
      expect(p.stats().tasks).toBe(0);
    }
  });

  it("runs a small job inline on the calling thread without starting the workers", async () => {
    const p = pool({ threads: 2, inlineThreshold: 1000 });
    const [b] = [...batches(4, 4, 16)];
    const got = await p.score(b!);
    expect(got.logprobs.length).toBe(4);
    expect(p.stats()).toMatchObject({ started: false, inlineTasks: 1 });
  });
});

describe("faults", () => {
  // Batches of 10 rows: row 1234 is in the task of rows 1230–1239. The fault-free reference output,
  // computed once on a shared pool without faults: every fault kind must give the same bytes.
  let cleanScore: Promise<string> | undefined;
  const clean = () => {
    cleanScore ??= collectBytes(sharedPool(2), batches(2000, 10, 8) as never, "score");
    return cleanScore;
  };

  for (const kind of ["throw", "exit", "oom"] as const) {
    it(`replaces a worker that faults by "${kind}" and retries its task once, losing and duplicating no row`, async () => {
      const reference = await clean();
      const p = pool({ threads: 2, maxWorkerMemoryMb: 48 }, [{ row: 1234, kind, times: 1 }]);
      const text = await collectBytes(p, batches(2000, 10, 8) as never, "score");
      expect(text).toBe(reference);
      expect(p.stats().retries).toBe(1);
    });

    it(`fails with a WorkerCrashError naming the rows when the retry faults by "${kind}" too`, async () => {
      const p = pool({ threads: 2, maxWorkerMemoryMb: 48 }, [{ row: 1234, kind, times: 2 }]);
      const delivered: number[] = [];
      let error: unknown;
      try {
        for await (const r of p.run(batches(2000, 10, 8), { kind: "score", output: "ndjson" })) {
          delivered.push(...rowsOf(decoder.decode(r.bytes)));
        }
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WorkerCrashError);
      expect(error).toBeInstanceOf(LogitstreamError);
      const crash = error as WorkerCrashError;
      expect([crash.firstRow, crash.lastRow, crash.rows, crash.attempts]).toEqual([1230, 1239, 10, 2]);
      expect(crash.fault).toBe(kind === "throw" ? "threw" : kind === "exit" ? "exited" : "out-of-memory");
      expect(crash.message).toContain("rows 1230–1239");
      // Every row before the failed batch, each exactly once; nothing after it.
      expect(delivered).toEqual(Array.from({ length: 1230 }, (_, i) => i));
    });
  }

  it("keeps working after a crash: the replaced worker serves the next job", async () => {
    const p = pool({ threads: 1 }, [{ row: 5, kind: "exit", times: 2 }]);
    const [b] = [...batches(8, 8, 8)];
    await expect(p.score({ ...b!, data: b!.data.slice() })).rejects.toBeInstanceOf(WorkerCrashError);
    const again = await p.score({ ...b!, data: b!.data.slice() });
    expect(again.logprobs.length).toBe(8);
  });

  it("does not retry a bad row: the core's typed error comes back with its row", async () => {
    const p = sharedPool(2); // no fault is ever injected into a shared pool: its retry count stays 0
    const [b] = [...batches(50, 50, 8)];
    b!.data[37 * 8] = Number.NaN;
    const error = await p.score(b!).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidLogitsError);
    expect((error as InvalidLogitsError).row).toBe(37);
    expect(p.stats().retries).toBe(0);
  });

  it("skips bad rows with onError skip and reports them as typed errors", async () => {
    const p = sharedPool(2);
    const source = [...batches(40, 10, 8)];
    source[2]!.data[3 * 8] = Number.NaN; // row 23
    const rows: number[] = [];
    const errors: Error[] = [];
    for await (const r of p.run(source, { kind: "sample", output: "ndjson", onError: "skip" })) {
      rows.push(...rowsOf(decoder.decode(r.bytes)));
      errors.push(...r.errors);
    }
    expect(rows).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 23));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(InvalidLogitsError);
    expect((errors[0] as InvalidLogitsError).row).toBe(23);
  });
});

describe("cancellation and shutdown", () => {
  it("rejects pending work with an AbortedError when the pool's signal aborts", async () => {
    const controller = new AbortController();
    const p = pool({ threads: 1, maxInFlight: 2, signal: controller.signal });
    let n = 0;
    const error = await (async () => {
      for await (const _ of p.run(batches(1e9, 10, 8), { kind: "score" })) {
        if (++n === 3) controller.abort(new Error("user pressed Ctrl-C"));
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toEqual(new Error("user pressed Ctrl-C"));
    const [b] = [...batches(10, 10, 8)];
    await expect(p.score(b!)).rejects.toBeInstanceOf(AbortedError);
  });

  it("stops a run whose source is waiting for input when the run's signal aborts", async () => {
    const controller = new AbortController();
    const p = pool({ threads: 1 });
    async function* stalled() {
      yield* batches(10, 10, 8);
      await new Promise(() => {}); // never yields again
    }
    const seen: number[] = [];
    const error = await (async () => {
      for await (const r of p.run(stalled(), { kind: "score" }, { signal: controller.signal })) {
        seen.push(r.rows);
        setImmediate(() => controller.abort());
      }
    })().catch((e) => e);
    expect(seen).toEqual([10]);
    expect(error).toBeInstanceOf(AbortedError);
  });

  it("rejects a call whose own signal aborts, leaving the pool usable", async () => {
    const p = pool({ threads: 1 });
    const controller = new AbortController();
    const [b] = [...batches(20, 20, 8)];
    const pending = p.score(b!, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    // The task went to piscina synchronously inside the call (inlineThreshold 0), and a worker cannot answer
    // before this synchronous abort: piscina cancels it, so the call always rejects with AbortedError.
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(p.score(b!, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect((await p.score(b!)).logprobs.length).toBe(20);
  });

  it("drains the tasks in flight on close and then refuses new ones", async () => {
    const p = pool({ threads: 2 });
    const jobs = [...batches(400, 50, 8)].map((b) => p.score(b));
    await p.close();
    const results = await Promise.all(jobs);
    expect(results.map((r) => r.logprobs.length)).toEqual(Array(8).fill(50));
    const [b] = [...batches(10, 10, 8)];
    await expect(p.score(b!)).rejects.toBeInstanceOf(PoolClosedError);
  });

  it("rejects the tasks still pending when the pool is destroyed", async () => {
    const p = pool({ threads: 1 });
    const jobs = [...batches(400, 50, 8)].map((b) =>
      p.score(b).then(
        () => "done",
        (e) => e,
      ),
    );
    await p.destroy();
    const outcomes = await Promise.all(jobs);
    expect(outcomes.some((o) => o instanceof PoolClosedError)).toBe(true);
    for (const o of outcomes) expect(o === "done" || o instanceof PoolClosedError).toBe(true);
  });
});
