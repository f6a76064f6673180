import { getEventListeners } from "node:events";
import { createSampler, InvalidLogitsError, InvalidParamsError, type LogitSource } from "@logitstream/core";
import { asapScheduler, asyncScheduler, filter, firstValueFrom, lastValueFrom, take, toArray } from "rxjs";
import { describe, expect, it, vi } from "vitest";
import { SourceError, StreamUsageError } from "../src/errors.js";
import { generate as generateWithFinish } from "../src/generate.js";
import { isFinishEvent } from "../src/isFinishEvent.js";
import { decodeText } from "../src/operators/decodeText.js";
import { stopWhen as stopWhenWithFinish } from "../src/operators/stopWhen.js";
import { createPacer } from "../src/pacer.js";
import type { FinishEvent, TokenEvent } from "../src/types.js";
import { tableTokenizer, testScheduler } from "./helpers.js";

const V = 16;

// The tests of the token stream see the token events only; the finish event that ends every generation
// has its own tests ("the finish event", below).
const tokensOnly = <E extends object>() => filter((e: E): e is Exclude<E, FinishEvent> => !isFinishEvent(e));
const generate = (...args: Parameters<typeof generateWithFinish>) =>
  generateWithFinish(...args).pipe(tokensOnly());
const stopWhen =
  <T extends { token: number; step?: number; text?: string }>(o: Parameters<typeof stopWhenWithFinish>[0]) =>
  (src: import("rxjs").Observable<T>) =>
    src.pipe(stopWhenWithFinish<T>(o), tokensOnly());

/** A toy model: the logits depend on the last two tokens of the context, nothing else. */
function toyLogits(context: ArrayLike<number>): Float32Array {
  const a = context.length > 0 ? context[context.length - 1]! : 0;
  const b = context.length > 1 ? context[context.length - 2]! : 0;
  const row = new Float32Array(V);
  for (let i = 0; i < V; i++) row[i] = Math.sin(a * 7.1 + b * 3.3 + i * 1.7) * 2;
  return row;
}

function syncSource(eosId?: number): LogitSource & { calls: number[][] } {
  const calls: number[][] = [];
  const src = {
    vocabSize: V,
    calls,
    next(context: ArrayLike<number>) {
      calls.push(Array.from(context));
      return toyLogits(context);
    },
  };
  return eosId === undefined ? src : { ...src, eosId };
}

/** An asynchronous source whose calls resolve only when the test says so. */
function manualSource() {
  const pending: { context: number[]; signal: AbortSignal; resolve: () => void; aborted: boolean }[] = [];
  const source: LogitSource = {
    vocabSize: V,
    next(context, signal) {
      const ctx = Array.from(context);
      return new Promise<Float32Array>((resolve, reject) => {
        const s = signal as AbortSignal;
        const onAbort = () => {
          entry.aborted = true;
          reject(s.reason);
        };
        const entry = {
          context: ctx,
          signal: s,
          aborted: false,
          resolve: () => {
            s.removeEventListener("abort", onAbort);
            resolve(toyLogits(ctx));
          },
        };
        s.addEventListener("abort", onAbort, { once: true });
        pending.push(entry);
      });
    },
  };
  return { source, pending };
}

/** Lets promise callbacks run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** The reference: the core sampler called directly on the toy model, step by step. */
function direct(prompt: number[], params: object, stream: number, n: number): number[] {
  const s = createSampler(params, { stream });
  const ctx = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = s.sample(toyLogits(ctx)).token;
    out.push(t);
    ctx.push(t);
  }
  return out;
}

const params = { temperature: 1.3, topP: 0.95, seed: 7 };

describe("generate", () => {
  it("produces exactly the tokens of the core sampler called directly on the same model", async () => {
    const events = await lastValueFrom(
      generate(syncSource(), [1, 2], params, { maxTokens: 20 }).pipe(toArray()),
    );
    expect(events.map((e) => e.token)).toEqual(direct([1, 2], params, 0, 20));
    expect(events.map((e) => e.step)).toEqual([...Array(20).keys()]);
    for (const e of events) {
      expect(e.rank).toBeGreaterThanOrEqual(1);
      expect(e.logprob).toBeLessThanOrEqual(0);
    }
  });

  it("passes the prompt and then each sampled token back to the source as context", async () => {
    const src = syncSource();
    const events = await lastValueFrom(generate(src, [3, 4], params, { maxTokens: 3 }).pipe(toArray()));
    const t = events.map((e) => e.token);
    expect(src.calls).toEqual([
      [3, 4],
      [3, 4, t[0]],
      [3, 4, t[0], t[1]],
    ]);
  });

  it("is cold: every subscription is a fresh run that repeats the same tokens", async () => {
    const src = syncSource();
    const gen = generate(src, [1], params, { maxTokens: 8 });
    const a = await lastValueFrom(gen.pipe(toArray()));
    const b = await lastValueFrom(gen.pipe(toArray()));
    expect(b).toEqual(a);
    expect(src.calls.length).toBe(16);
  });

  it("uses the request's stream for randomness, so two streams differ and each matches the sampler with that stream", async () => {
    const flat = { temperature: 5, seed: 3 };
    const a = await lastValueFrom(
      generate(syncSource(), [0], flat, { maxTokens: 30, stream: 1 }).pipe(toArray()),
    );
    const b = await lastValueFrom(
      generate(syncSource(), [0], flat, { maxTokens: 30, stream: 2 }).pipe(toArray()),
    );
    expect(a.map((e) => e.token)).toEqual(direct([0], flat, 1, 30));
    expect(b.map((e) => e.token)).toEqual(direct([0], flat, 2, 30));
    expect(a.map((e) => e.token)).not.toEqual(b.map((e) => e.token));
  });

  it("keeps concurrent generations independent: interleaved steps give the same tokens as each run alone", async () => {
    const { source, pending } = manualSource();
    const got: number[][] = [[], []];
    const subs = [1, 2].map((stream, k) =>
      generate(source, [5], params, { maxTokens: 6, stream }).subscribe((e) => got[k]!.push(e.token)),
    );
    // Each subscription has its own signal: the first two calls tell which signal belongs to which run.
    const signalOf = [pending[0]!.signal, pending[1]!.signal];
    const resolved = new Set<object>();
    // Resolve the calls of the two runs in an irregular interleaving.
    for (const k of [0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1]) {
      const entry = pending.find((p) => p.signal === signalOf[k] && !resolved.has(p));
      if (entry === undefined) continue;
      resolved.add(entry);
      entry.resolve();
      await settle();
    }
    for (const s of subs) s.unsubscribe();
    expect(got[0]).toEqual(direct([5], params, 1, 6));
    expect(got[1]).toEqual(direct([5], params, 2, 6));
  });

  it("aborts the call in flight on unsubscribe, makes no further call, and leaves no listener on the signal", async () => {
    const { source, pending } = manualSource();
    const seen: TokenEvent[] = [];
    const sub = generate(source, [1], params).subscribe((e) => seen.push(e));
    for (let i = 0; i < 3; i++) {
      await settle();
      pending[i]!.resolve();
    }
    await settle();
    expect(seen.length).toBe(3);
    expect(pending.length).toBe(4); // the 4th call is in flight
    const signal = pending[3]!.signal;
    expect(getEventListeners(signal, "abort").length).toBe(1); // the source's own listener

    sub.unsubscribe();
    expect(signal.aborted).toBe(true);
    expect(pending[3]!.aborted).toBe(true); // the source saw the abort
    expect(getEventListeners(signal, "abort").length).toBe(0);
    await settle();
    expect(pending.length).toBe(4); // stopped within one step: no 5th call
    expect(seen.length).toBe(3);
  });

  it("stops an infinite synchronous source as soon as a downstream take or stopWhen is satisfied", async () => {
    const src = syncSource();
    const five = await lastValueFrom(generate(src, [1], params).pipe(take(5), toArray()));
    expect(five.length).toBe(5);
    expect(src.calls.length).toBe(5);
    const src2 = syncSource();
    const four = await lastValueFrom(generate(src2, [1], params).pipe(stopWhen({ maxTokens: 4 }), toArray()));
    expect(four.length).toBe(4);
    expect(src2.calls.length).toBe(4);
  });

  it("does not abort anything when a run completes by itself", async () => {
    const signals: AbortSignal[] = [];
    const src: LogitSource = {
      vocabSize: V,
      next: async (ctx, signal) => {
        signals.push(signal as AbortSignal);
        return toyLogits(ctx);
      },
    };
    await lastValueFrom(generate(src, [1], params, { maxTokens: 3 }).pipe(toArray()));
    expect(signals.length).toBe(3);
    expect(signals.every((s) => !s.aborted)).toBe(true);
    expect(new Set(signals).size).toBe(1); // one AbortController per subscription
  });

  it("completes at the source's EOS token without emitting it, unless stopAtEos is false", async () => {
    const greedy = { temperature: 0 };
    const ref = direct([1], greedy, 0, 10);
    const eos = ref[3]!;
    const firstEos = ref.indexOf(eos);
    const events = await lastValueFrom(generate(syncSource(eos), [1], greedy).pipe(take(50), toArray()));
    expect(events.map((e) => e.token)).toEqual(ref.slice(0, firstEos));
    const all = await lastValueFrom(
      generate(syncSource(eos), [1], greedy, { stopAtEos: false, maxTokens: 10 }).pipe(toArray()),
    );
    expect(all.map((e) => e.token)).toEqual(ref);
  });

  it("reports top logprobs when asked", async () => {
    const [e] = await lastValueFrom(
      generate(syncSource(), [1], params, { maxTokens: 1, logprobs: 3 }).pipe(toArray()),
    );
    const ref = createSampler(params).sample(toyLogits([1]), { logprobs: 3 });
    expect(e!.topLogprobs).toEqual(ref.topLogprobs);
    expect(e!.topLogprobs!.length).toBe(3);
  });

  it("encodes a text prompt with the given tokenizer, and refuses a text prompt without one", async () => {
    const src = syncSource();
    const tok = { ...tableTokenizer(["a"]), encode: (s: string) => [...s].map((c) => c.charCodeAt(0) % V) };
    await lastValueFrom(generate(src, "AB", params, { maxTokens: 1, tokenizer: tok }).pipe(toArray()));
    expect(src.calls[0]).toEqual([65 % V, 66 % V]);
    await expect(firstValueFrom(generate(src, "AB", params))).rejects.toBeInstanceOf(StreamUsageError);
  });

  it("wraps a source failure in SourceError naming the step and keeping the cause", async () => {
    const boom = new Error("GPU fell off");
    let n = 0;
    const src: LogitSource = {
      vocabSize: V,
      next: async (ctx) => {
        if (n++ === 2) throw boom;
        return toyLogits(ctx);
      },
    };
    const err = await lastValueFrom(generate(src, [1], params).pipe(toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).step).toBe(2);
    expect((err as SourceError).cause).toBe(boom);
  });

  it("errors with SourceError when the source returns a row of the wrong length", async () => {
    const src: LogitSource = { vocabSize: V, next: () => new Float32Array(V - 1) };
    await expect(firstValueFrom(generate(src, [1], params))).rejects.toBeInstanceOf(SourceError);
  });

  it("forwards the sampler's typed error for a row it cannot sample", async () => {
    const src: LogitSource = { vocabSize: V, next: () => new Float32Array(V).fill(Number.NEGATIVE_INFINITY) };
    await expect(firstValueFrom(generate(src, [1], params))).rejects.toBeInstanceOf(InvalidLogitsError);
  });

  it("makes no call while its pacer is paused and continues when it is resumed", async () => {
    const pacer = createPacer();
    pacer.pause();
    const src = syncSource();
    const seen: number[] = [];
    let done = false;
    generate(src, [1], params, { maxTokens: 3, pacer }).subscribe({
      next: (e) => seen.push(e.token),
      complete: () => {
        done = true;
      },
    });
    expect(src.calls.length).toBe(0);
    pacer.resume();
    expect(done).toBe(true);
    expect(seen).toEqual(direct([1], params, 0, 3));
  });

  it("errors with the reason of an external signal and removes its listener from it", async () => {
    const { source, pending } = manualSource();
    const external = new AbortController();
    let error: unknown;
    generate(source, [1], params, { signal: external.signal }).subscribe({ error: (e) => (error = e) });
    expect(getEventListeners(external.signal, "abort").length).toBe(1);
    external.abort(new Error("client went away"));
    expect((error as Error).message).toBe("client went away");
    expect(pending[0]!.aborted).toBe(true);
    expect(getEventListeners(external.signal, "abort").length).toBe(0);
  });

  it("removes its listener from an external signal when the run completes", async () => {
    const external = new AbortController();
    await lastValueFrom(
      generate(syncSource(), [1], params, { maxTokens: 2, signal: external.signal }).pipe(toArray()),
    );
    expect(getEventListeners(external.signal, "abort").length).toBe(0);
  });

  it("feeds decodeText and stopWhen to produce text that ends before a stop sequence", async () => {
    // Token i is the letter "a" + i; the stop sequence is the text of the 3rd and 4th greedy tokens.
    const greedy = { temperature: 0 };
    const ref = direct([1], greedy, 0, 6);
    const letters = Array.from({ length: V }, (_, i) => String.fromCharCode(97 + i));
    const tok = tableTokenizer(letters);
    const stop = letters[ref[2]!]! + letters[ref[3]!]!;
    const text = (
      await lastValueFrom(
        generate(syncSource(), [1], greedy).pipe(
          decodeText(tok),
          stopWhen({ stopSequences: [stop] }),
          toArray(),
        ),
      )
    )
      .map((e) => e.text)
      .join("");
    const full = ref.map((t) => letters[t]).join("");
    expect(text).toBe(full.slice(0, full.indexOf(stop)));
  });

  it("lets the penalties see the prompt with penalizePrompt, like a core sampler that accepted the prompt", async () => {
    const pen = { repetitionPenalty: 3, presencePenalty: 1, temperature: 0.7, seed: 5 };
    const prompt = [3, 9, 3, 12];
    const got = await lastValueFrom(
      generate(syncSource(), prompt, pen, { maxTokens: 10, penalizePrompt: true }).pipe(toArray()),
    );
    const s = createSampler(pen);
    for (const t of prompt) s.accept(t);
    const ctx = [...prompt];
    const ref: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = s.sample(toyLogits(ctx)).token;
      ref.push(t);
      ctx.push(t);
    }
    expect(got.map((e) => e.token)).toEqual(ref);
    const plain = await lastValueFrom(generate(syncSource(), prompt, pen, { maxTokens: 10 }).pipe(toArray()));
    expect(plain.map((e) => e.token)).toEqual(direct(prompt, pen, 0, 10));
  });

  it("runs each step on the given scheduler, in virtual time with a TestScheduler", () => {
    const ref = direct([1], { temperature: 0 }, 0, 3);
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const src = syncSource();
      const gen = generate(src, [1], { temperature: 0 }, { maxTokens: 3, scheduler: asyncScheduler });
      expectObservable(gen).toBe("(abc|)", {
        a: expect.objectContaining({ step: 0, token: ref[0] }),
        b: expect.objectContaining({ step: 1, token: ref[1] }),
        c: expect.objectContaining({ step: 2, token: ref[2] }),
      });
    });
  });

  it("makes no call synchronously at subscription when a scheduler is given", async () => {
    const src = syncSource();
    const done = lastValueFrom(
      generate(src, [1], params, { maxTokens: 2, scheduler: asapScheduler }).pipe(toArray()),
    );
    expect(src.calls.length).toBe(0);
    expect((await done).length).toBe(2);
    expect(src.calls.length).toBe(2);
  });

  it("stops a scheduled run when unsubscribed between steps, leaving no step pending", async () => {
    const src = syncSource();
    const seen: number[] = [];
    const sub = generate(src, [1], params, { scheduler: asapScheduler }).subscribe((e) => seen.push(e.step));
    await Promise.resolve();
    await Promise.resolve();
    sub.unsubscribe();
    const calls = src.calls.length;
    expect(calls).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    expect(src.calls.length).toBe(calls);
    expect(seen.length).toBe(calls);
  });

  it("leaves no timer behind when a run on a timer-based scheduler is unsubscribed mid-generation", async () => {
    // The scheduler's own timers, tracked by handle: a count of every timer in the process would see
    // other test files' timers (this project does not isolate files).
    const live = new Set<unknown>();
    const realSetInterval = globalThis.setInterval;
    const realClearInterval = globalThis.clearInterval;
    const intervals = vi.spyOn(globalThis, "setInterval").mockImplementation(((
      fn: () => void,
      ms?: number,
    ) => {
      const h = realSetInterval(fn, ms);
      live.add(h);
      return h;
    }) as typeof setInterval);
    const clears = vi.spyOn(globalThis, "clearInterval").mockImplementation(((h?: NodeJS.Timeout) => {
      live.delete(h);
      realClearInterval(h);
    }) as typeof clearInterval);
    try {
      const src = syncSource();
      let sub: { unsubscribe(): void } | undefined;
      await new Promise<void>((resolve) => {
        sub = generate(src, [1], params, { scheduler: asyncScheduler }).subscribe((e) => {
          if (e.step === 2) {
            sub!.unsubscribe();
            resolve();
          }
        });
      });
      const calls = src.calls.length;
      await new Promise<void>((r) => setImmediate(r));
      expect(intervals).toHaveBeenCalled(); // the scheduler did use timers
      expect(live.size).toBe(0);
      expect(src.calls.length).toBe(calls);
      expect(calls).toBe(3);
    } finally {
      intervals.mockRestore();
      clears.mockRestore();
    }
  });

  it("rejects invalid sampler params when called", () => {
    expect(() => generate(syncSource(), [1], { topK: 2.5 })).toThrow(InvalidParamsError);
  });

  describe("the finish event", () => {
    /** Every event of a run, then how it ended (the error, if it errored). */
    async function run(o: import("rxjs").Observable<object>): Promise<{ events: object[]; error?: unknown }> {
      const events: object[] = [];
      return new Promise((resolve) =>
        o.subscribe({
          next: (e) => events.push(e),
          error: (error: unknown) => resolve({ events, error }),
          complete: () => resolve({ events }),
        }),
      );
    }

    it('ends at the end-of-text token with "stop" and its id, after the tokens before it', async () => {
      const greedy = { temperature: 0 };
      const ref = direct([1], greedy, 0, 10);
      const eos = ref[3]!;
      const firstEos = ref.indexOf(eos);
      const { events, error } = await run(generateWithFinish(syncSource(eos), [1], greedy));
      expect(error).toBeUndefined();
      expect(events).toHaveLength(firstEos + 1);
      expect(events.at(-1)).toEqual({ finishReason: "stop", steps: firstEos, eosToken: eos });
      expect(events.slice(0, -1).every((e) => !isFinishEvent(e))).toBe(true);
    });

    it('ends after maxTokens with "length", and with no token at all for maxTokens 0', async () => {
      const five = await run(generateWithFinish(syncSource(), [1], params, { maxTokens: 5 }));
      expect(five.events).toHaveLength(6);
      expect(five.events[5]).toEqual({ finishReason: "length", steps: 5 });
      const none = await run(generateWithFinish(syncSource(), [1], params, { maxTokens: 0 }));
      expect(none).toEqual({ events: [{ finishReason: "length", steps: 0 }] });
    });

    it('says "abort" when the signal aborts, then errors with its reason', async () => {
      const { source, pending } = manualSource();
      const external = new AbortController();
      const done = run(generateWithFinish(source, [1], params, { signal: external.signal }));
      pending[0]!.resolve();
      await settle();
      external.abort(new Error("client went away"));
      const { events, error } = await done;
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual({ finishReason: "abort", steps: 1 });
      expect((error as Error).message).toBe("client went away");
    });

    it('says "error" with the code and message when the source fails, then errors with the typed error', async () => {
      const src: LogitSource = { vocabSize: V, next: () => new Float32Array(V - 1) };
      const { events, error } = await run(generateWithFinish(src, [1], params));
      expect(error).toBeInstanceOf(SourceError);
      expect(events).toEqual([
        { finishReason: "error", steps: 0, error: { code: "E_SOURCE", message: (error as Error).message } },
      ]);
    });

    it("passes through decodeText and stopWhen, which replaces it with its own when it stops first", async () => {
      const tok = tableTokenizer(Array.from({ length: V }, (_, i) => String.fromCharCode(97 + i)));
      const byLength = await run(
        generateWithFinish(syncSource(), [1], params, { maxTokens: 3 }).pipe(
          decodeText(tok),
          stopWhenWithFinish({ maxTokens: 10 }),
        ),
      );
      expect(byLength.events.at(-1)).toEqual({ finishReason: "length", steps: 3 });
      const text = direct([1], params, 0, 20)
        .map((t) => String.fromCharCode(97 + t))
        .join("");
      const stop = text.slice(4, 6);
      const byStop = await run(
        generateWithFinish(syncSource(), [1], params, { maxTokens: 20 }).pipe(
          decodeText(tok),
          stopWhenWithFinish({ stopSequences: [stop] }),
        ),
      );
      const at = text.indexOf(stop);
      expect(byStop.events.at(-1)).toEqual({ finishReason: "stop", steps: at, stopSequence: stop });
      expect(byStop.events).toHaveLength(at + 1);
    });
  });

  it("rejects an unknown option with InvalidParamsError instead of ignoring it (max_tokens, maxToken)", () => {
    for (const key of ["max_tokens", "maxToken"]) {
      expect(() => generateWithFinish(syncSource(), [1], params, { [key]: 3 } as never)).toThrow(
        InvalidParamsError,
      );
      expect(() => generateWithFinish(syncSource(), [1], params, { [key]: 3 } as never)).toThrow(`"${key}"`);
    }
  });
});
