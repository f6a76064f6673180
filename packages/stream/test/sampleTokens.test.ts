import {
  createSampler,
  InvalidLogitsError,
  InvalidParamsError,
  type SamplerParams,
  sampleBatch,
} from "@logitstream/core";
import { createPool } from "@logitstream/pool";
import { from, lastValueFrom, type Observable, Subject, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { type SampleTokensOptions, type SamplingPool, sampleTokens } from "../src/operators/sampleTokens.js";
import type { LogitFrame, TokenEvent } from "../src/types.js";
import { testScheduler } from "./helpers.js";

const V = 32;
/** Deterministic pseudo-random logits for row r. */
function row(r: number): Float32Array {
  const x = new Float32Array(V);
  for (let i = 0; i < V; i++) x[i] = Math.sin(r * 12.9898 + i * 78.233) * 3;
  return x;
}
function batch(
  first: number,
  rows: number,
): { data: Float32Array; rows: number; vocab: number; firstRow: number } {
  const data = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) data.set(row(first + r), r * V);
  return { data, rows, vocab: V, firstRow: first };
}
const run = <T>(o: Observable<T>) => lastValueFrom(o.pipe(toArray()));
const tokens = (es: TokenEvent[]) => es.map((e) => e.token);

const params: SamplerParams = { temperature: 1.1, topK: 20, topP: 0.9, repetitionPenalty: 1.3, seed: 11 };

/** Reference: one core sampler over the rows in order (the sequence semantics). */
function sequenceRef(n: number, p: SamplerParams, stream = 0): number[] {
  const s = createSampler(p, { stream });
  return Array.from({ length: n }, (_, r) => s.sample(row(r)).token);
}

describe("sampleTokens", () => {
  it("emits one event per bare row in the same frame, and completes with its input", () => {
    const ref = sequenceRef(2, params);
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold<LogitFrame>("-a--b|", { a: row(0), b: row(1) });
      expectObservable(src.pipe(sampleTokens(params)).pipe()).toBe("-x--y|", {
        x: expect.objectContaining({ step: 0, token: ref[0] }),
        y: expect.objectContaining({ step: 1, token: ref[1] }),
      });
    });
  });

  it("emits the rows of a batch frame together, in row order", () => {
    const ref = sequenceRef(3, params);
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold<LogitFrame>("a-----b|", { a: batch(0, 2), b: row(2) });
      expectObservable(src.pipe(sampleTokens(params))).toBe("(xy)--z|", {
        x: expect.objectContaining({ step: 0, token: ref[0] }),
        y: expect.objectContaining({ step: 1, token: ref[1] }),
        z: expect.objectContaining({ step: 2, token: ref[2] }),
      });
    });
  });

  it("forwards an upstream error and unsubscribes from its input when unsubscribed", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<LogitFrame>("a-#", { a: row(0) }, new Error("reader failed"));
      expectObservable(failing.pipe(sampleTokens(params))).toBe(
        "x-#",
        { x: expect.objectContaining({ step: 0 }) },
        new Error("reader failed"),
      );
      const long = cold<LogitFrame>("a-a-a-a|", { a: row(0) });
      expectObservable(long.pipe(sampleTokens(params)), "^--!").toBe("x-y", {
        x: expect.objectContaining({ step: 0 }),
        y: expect.objectContaining({ step: 1 }),
      });
      expectSubscriptions(long.subscriptions).toBe("^--!");
    });
  });

  it("errors with the core's typed error for a row that cannot be sampled", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bad = new Float32Array(V).fill(Number.NaN);
      const src = cold<LogitFrame>("a-b-a|", { a: row(0), b: bad });
      expectObservable(src.pipe(sampleTokens(params))).toBe(
        "x-#",
        { x: expect.objectContaining({ step: 0 }) },
        expect.any(InvalidLogitsError),
      );
    });
  });

  it("carries the sampler state across frames: the tokens equal one core sampler run over the rows", async () => {
    const events = await run(from(Array.from({ length: 12 }, (_, r) => row(r))).pipe(sampleTokens(params)));
    expect(tokens(events)).toEqual(sequenceRef(12, params));
    expect(events.map((e) => e.step)).toEqual([...Array(12).keys()]);
  });

  it("gives the same tokens whether the rows arrive one by one or in batches of any size", async () => {
    const one = await run(from(Array.from({ length: 12 }, (_, r) => row(r))).pipe(sampleTokens(params)));
    const splits = [[12], [5, 7], [1, 3, 8], [4, 4, 4]];
    for (const sizes of splits) {
      const frames: LogitFrame[] = [];
      let first = 0;
      for (const n of sizes) {
        frames.push(batch(first, n));
        first += n;
      }
      expect(await run(from(frames).pipe(sampleTokens(params)))).toEqual(one);
    }
  });

  it("uses its stream option as the RNG stream of the sequence", async () => {
    const flat = { temperature: 4, seed: 2 };
    const rows = Array.from({ length: 20 }, (_, r) => row(r));
    const s3 = await run(from(rows).pipe(sampleTokens(flat, { stream: 3 })));
    expect(tokens(s3)).toEqual(sequenceRef(20, flat, 3));
    expect(tokens(s3)).not.toEqual(sequenceRef(20, flat, 4));
  });

  it("repeats the same run on every subscription", async () => {
    const op = from([row(0), row(1), row(2)]).pipe(sampleTokens(params));
    expect(await run(op)).toEqual(await run(op));
  });

  it("reports top logprobs and forwards frame ids", async () => {
    const events = await run(
      from([
        { logits: row(0), id: "req-a" },
        { data: batch(1, 2).data, rows: 2, vocab: V, ids: ["b", "c"] },
      ]).pipe(sampleTokens(params, { logprobs: 3 })),
    );
    expect(events.map((e) => e.id)).toEqual(["req-a", "b", "c"]);
    const s = createSampler(params);
    const ref = s.sample(row(0), { logprobs: 3 });
    expect(events[0]!.topLogprobs).toEqual(ref.topLogprobs);
    expect(events[0]!.logprob).toBe(ref.logprob);
    expect(events[0]!.rank).toBe(ref.rank);
  });

  it("in rows mode samples each row independently by its global index, as core's sampleBatch, however the rows are split", async () => {
    const ref = sampleBatch(batch(0, 10).data, 10, V, params, { logprobs: 2 });
    const whole = await run(from([batch(0, 10)]).pipe(sampleTokens(params, { mode: "rows", logprobs: 2 })));
    const pieces = await run(
      from([row(0), batch(1, 4), { logits: row(5) }, batch(6, 4)]).pipe(
        sampleTokens(params, { mode: "rows", logprobs: 2 }),
      ),
    );
    expect(tokens(whole)).toEqual(Array.from(ref.tokens));
    expect(whole.map((e) => e.step)).toEqual([...Array(10).keys()]);
    expect(whole.map((e) => e.logprob)).toEqual(Array.from(ref.logprobs));
    expect(whole[4]!.topLogprobs).toEqual([
      { token: ref.topTokens![8], logprob: ref.topLogprobs![8] },
      { token: ref.topTokens![9], logprob: ref.topLogprobs![9] },
    ]);
    expect(pieces).toEqual(whole);
  });

  it("on a pool keeps input order even when later batches finish first, and matches rows mode", async () => {
    // A stand-in pool: core's sampleBatch, but each call resolves only when the test releases it.
    const calls: { release: () => void; signal: AbortSignal | undefined }[] = [];
    const pool: SamplingPool = {
      sample(b, p, o) {
        return new Promise((resolve) => {
          calls.push({
            release: () =>
              resolve(sampleBatch(b.data, b.rows, b.vocab, p ?? {}, { firstRow: b.firstRow ?? 0 })),
            signal: o?.signal,
          });
        });
      },
    };
    const frames = [batch(0, 3), batch(3, 2), batch(5, 4)];
    const seen: number[] = [];
    let done = false;
    from(frames)
      .pipe(sampleTokens(params, { mode: "rows", pool, concurrency: 2 }))
      .subscribe({ next: (e) => seen.push(e.step), complete: () => (done = true) });
    expect(calls.length).toBe(2); // bounded: two frames in flight
    calls[1]!.release(); // the second batch finishes first
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([]); // held until the first is done
    calls[0]!.release();
    for (let i = 0; i < 4; i++) await Promise.resolve();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(calls.length).toBe(3);
    calls[2]!.release();
    for (let i = 0; i < 4; i++) await Promise.resolve();
    expect(seen).toEqual([...Array(9).keys()]);
    expect(done).toBe(true);
    const inline = await run(from(frames).pipe(sampleTokens(params, { mode: "rows" })));
    const pooled = await run(
      from(frames).pipe(
        sampleTokens(params, {
          mode: "rows",
          pool: {
            sample: async (b, p) =>
              sampleBatch(b.data, b.rows, b.vocab, p ?? {}, { firstRow: b.firstRow ?? 0 }),
          },
        }),
      ),
    );
    expect(pooled).toEqual(inline);
  });

  it("on a pool aborts the tasks in flight when unsubscribed", async () => {
    const signals: AbortSignal[] = [];
    const pool: SamplingPool = {
      sample(_b, _p, o) {
        signals.push(o!.signal!);
        return new Promise(() => {});
      },
    };
    const subject = new Subject<LogitFrame>();
    const sub = subject.pipe(sampleTokens(params, { mode: "rows", pool })).subscribe();
    subject.next(batch(0, 2));
    expect(signals.length).toBe(1);
    expect(signals[0]!.aborted).toBe(false);
    sub.unsubscribe();
    expect(signals[0]!.aborted).toBe(true);
  });

  it("on @logitstream/pool's worker pool gives the same events as rows mode inline, in input order", async () => {
    const pool = createPool({ threads: 2, inlineThreshold: 0 });
    try {
      const frames = [batch(0, 5), row(5), batch(6, 7), { logits: row(13), id: "last" }];
      const inline = await run(from(frames).pipe(sampleTokens(params, { mode: "rows", logprobs: 2 })));
      const pooled = await run(
        from(frames).pipe(sampleTokens(params, { mode: "rows", pool, logprobs: 2, concurrency: 3 })),
      );
      expect(pooled).toEqual(inline);
      expect(pooled.map((e) => e.step)).toEqual([...Array(14).keys()]);
      expect(pool.stats().tasks).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it("on @logitstream/pool's worker pool, unsubscribing mid-stream leaves no task in flight and the pool closes", async () => {
    const pool = createPool({ threads: 2, inlineThreshold: 0 });
    const subject = new Subject<LogitFrame>();
    const seen: number[] = [];
    const sub = subject
      .pipe(sampleTokens(params, { mode: "rows", pool, concurrency: 2 }))
      .subscribe((e) => seen.push(e.step));
    subject.next(batch(0, 64));
    subject.next(batch(64, 64));
    subject.next(batch(128, 64));
    sub.unsubscribe();
    // Whatever was in flight is aborted or finishes; nothing is emitted after the unsubscription.
    await pool.close();
    expect(pool.stats().inFlight).toBe(0);
    expect(seen).toEqual([]);
  });

  it("rejects invalid sampler params when the operator is built", () => {
    expect(() => sampleTokens({ topP: 2 })).toThrow(InvalidParamsError);
    expect(() => sampleTokens({ temperature: -1 })).toThrow(InvalidParamsError);
  });

  // Before, a pool switched the operator to rows semantics and dropped `stream`/`mode` without a word.
  it.each([
    ["a pool without mode (once rows mode, silently)", { pool: {} }, "pool"],
    ["a pool with mode sequence (once ignored)", { mode: "sequence", pool: {} }, "pool"],
    ["a pool with a stream (once ignored)", { pool: {}, stream: 3 }, "pool"],
    ["a stream in rows mode (row r is stream r)", { mode: "rows", stream: 3 }, "stream"],
    ["a stream with a pool in rows mode", { mode: "rows", pool: {}, stream: 3 }, "stream"],
    ["concurrency without a pool", { concurrency: 2 }, "concurrency"],
    ["concurrency without a pool in rows mode", { mode: "rows", concurrency: 2 }, "concurrency"],
    ["concurrency 0 (no frame would ever start)", { mode: "rows", pool: {}, concurrency: 0 }, "concurrency"],
    ["concurrency 1.5", { mode: "rows", pool: {}, concurrency: 1.5 }, "concurrency"],
    ["an unknown mode (once sequence, silently)", { mode: "row" }, "mode"],
  ])("refuses %s when the operator is built, naming the option", (_what, options, param) => {
    const pool: SamplingPool = { sample: () => Promise.reject(new Error("must not be called")) };
    const opts = { ...options, ...("pool" in options ? { pool } : {}) };
    let caught: unknown;
    try {
      sampleTokens(params, opts as SampleTokensOptions);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidParamsError);
    expect((caught as InvalidParamsError).param).toBe(param);
  });

  it("rejects the other mode's options at compile time too", () => {
    const pool: SamplingPool = { sample: () => Promise.reject(new Error("must not be called")) };
    // @ts-expect-error a pool needs mode "rows"
    expect(() => sampleTokens(params, { pool })).toThrow(InvalidParamsError);
    // @ts-expect-error stream belongs to mode "sequence"
    expect(() => sampleTokens(params, { mode: "rows", pool, stream: 1 })).toThrow(InvalidParamsError);
    // @ts-expect-error concurrency belongs to mode "rows" with a pool
    expect(() => sampleTokens(params, { stream: 1, concurrency: 2 })).toThrow(InvalidParamsError);
    // The accepted combinations build.
    expect(typeof sampleTokens(params, { stream: 1, logprobs: 2 })).toBe("function");
    expect(typeof sampleTokens(params, { mode: "sequence", stream: 1 })).toBe("function");
    expect(typeof sampleTokens(params, { mode: "rows", logprobs: 2 })).toBe("function");
    expect(typeof sampleTokens(params, { mode: "rows", pool, concurrency: 1 })).toBe("function");
  });
});
