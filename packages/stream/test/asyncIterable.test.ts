import { createSampler, type LogitSource } from "@logitstream/core";
import { filter, firstValueFrom, lastValueFrom, of, Subject, throwError, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { toAsyncIterable } from "../src/adapters/toAsyncIterable.js";
import { generate } from "../src/generate.js";
import { generateWithCallbacks } from "../src/generateWithCallbacks.js";
import { isFinishEvent } from "../src/isFinishEvent.js";
import { decodeText } from "../src/operators/decodeText.js";
import { createPacer } from "../src/pacer.js";
import type { TokenEvent } from "../src/types.js";
import { tableTokenizer } from "./helpers.js";

// Token events only: the finish event that ends every generation is tested in generate.test.ts.
const tokensOnly = filter(<E extends object>(e: E) => !isFinishEvent(e));

const V = 8;

/** Logits that depend only on the context length: token (length mod V) is the clear favourite. */
function rowFor(length: number): Float32Array {
  const row = new Float32Array(V);
  row[length % V] = 10;
  return row;
}

/** A synchronous model that records how many calls it got. */
function syncModel(eosId?: number): LogitSource & { calls: number } {
  const m = {
    vocabSize: V,
    calls: 0,
    next(context: ArrayLike<number>) {
      m.calls++;
      return rowFor(context.length);
    },
  };
  return eosId === undefined ? m : Object.assign(m, { eosId });
}

/** An asynchronous model that records, per call, whether it was aborted before it answered. */
function asyncModel() {
  const calls: { aborted: boolean; answered: boolean }[] = [];
  const source: LogitSource = {
    vocabSize: V,
    next(context, signal) {
      const call = { aborted: false, answered: false };
      calls.push(call);
      return new Promise((resolve, reject) => {
        const s = signal as AbortSignal;
        // Answers on a later macrotask, unless aborted first.
        const t = setTimeout(() => {
          call.answered = true;
          resolve(rowFor(context.length));
        }, 1);
        s.addEventListener("abort", () => {
          if (call.answered) return;
          clearTimeout(t);
          call.aborted = true;
          reject(s.reason);
        });
      });
    },
  };
  return { source, calls };
}

describe("for await over generate", () => {
  it("yields the same events as subscribing (greedy, so the tokens are known by hand)", async () => {
    const got: TokenEvent[] = [];
    for await (const ev of generate(syncModel(), [0], { temperature: 0 }, { maxTokens: 5 }))
      if (!isFinishEvent(ev)) got.push(ev);
    // Context length 1, 2, … → favourite token 1, 2, 3, 4, 5.
    expect(got.map((e) => e.token)).toEqual([1, 2, 3, 4, 5]);
    expect(got.map((e) => e.step)).toEqual([0, 1, 2, 3, 4]);
    const viaRx = await lastValueFrom(
      generate(syncModel(), [0], { temperature: 0 }, { maxTokens: 5 }).pipe(tokensOnly, toArray()),
    );
    expect(got).toEqual(viaRx);
  });

  it("steps a synchronous model only as the loop asks (one step ahead), and break stops it", async () => {
    const model = syncModel();
    let seen = 0;
    // No maxTokens and no EOS: without pacing this generation would never end.
    for await (const ev of generate(model, [0], { seed: 3 })) {
      expect(model.calls).toBeLessThanOrEqual((ev as TokenEvent).step + 2);
      if (++seen === 4) break;
    }
    const callsAtBreak = model.calls;
    expect(callsAtBreak).toBeLessThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 5));
    expect(model.calls).toBe(callsAtBreak);
  });

  it("break aborts the asynchronous model call in flight", async () => {
    const { source, calls } = asyncModel();
    for await (const ev of generate(source, [0], { temperature: 0 })) {
      if ((ev as TokenEvent).step === 1) break;
    }
    // Steps 0 and 1 were answered; the call for step 2 was started (one ahead) and is now aborted.
    expect(calls.map((c) => c.aborted)).toEqual([false, false, true]);
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toHaveLength(3);
  });

  it("throws the model's error from the loop, after the tokens before it", async () => {
    let n = 0;
    const failing: LogitSource = {
      vocabSize: V,
      next(context) {
        if (++n === 3) throw new Error("model crashed");
        return rowFor(context.length);
      },
    };
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const ev of generate(failing, [0], { temperature: 0 }))
          if (!isFinishEvent(ev)) got.push(ev.token);
      })(),
    ).rejects.toThrow(/model crashed/);
    expect(got).toEqual([1, 2]);
  });

  it("samples what createSampler samples, draw for draw (seeded, not greedy)", async () => {
    const params = { temperature: 1, seed: 11 };
    const sampler = createSampler(params, { stream: 5 });
    const expected: number[] = [];
    const context = [0];
    for (let i = 0; i < 6; i++) {
      const t = sampler.sample(rowFor(context.length)).token;
      expected.push(t);
      context.push(t);
    }
    const got: number[] = [];
    for await (const ev of generate(syncModel(), [0], params, { stream: 5, maxTokens: 6 }))
      if (!isFinishEvent(ev)) if (!isFinishEvent(ev)) got.push(ev.token);
    expect(got).toEqual(expected);
  });
});

describe("toAsyncIterable", () => {
  it("iterates a piped Observable paced by the same pacer, with text from decodeText", async () => {
    const pacer = createPacer();
    const tok = tableTokenizer(["a", "b", "c", "d", "e", "f", "g", "h"]);
    const model = syncModel();
    const events$ = generate(model, [0], { temperature: 0 }, { pacer, maxTokens: 4 }).pipe(decodeText(tok));
    let text = "";
    for await (const ev of toAsyncIterable(events$, { pacer })) if (!isFinishEvent(ev)) text += ev.text;
    expect(text).toBe("bcde");
    expect(model.calls).toBe(4);
  });

  it("hands out buffered items before an error, then throws it", async () => {
    const it = toAsyncIterable(new Subject<number>().asObservable().pipe(() => of(1, 2)));
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    const failing = toAsyncIterable(throwError(() => new Error("boom")));
    await expect(failing.next()).rejects.toThrow("boom");
    expect(await failing.next()).toEqual({ value: undefined, done: true });
  });

  it("return() before the first next() never subscribes", async () => {
    let subscribed = 0;
    const it = toAsyncIterable(
      new (await import("rxjs")).Observable<number>(() => {
        subscribed++;
      }),
    );
    expect(await it.return!()).toEqual({ value: undefined, done: true });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(subscribed).toBe(0);
    expect(await firstValueFrom(of(1))).toBe(1);
  });
});

describe("generateWithCallbacks", () => {
  it("calls onToken per token with its text, then onEnd, and resolves done", async () => {
    const tok = { ...tableTokenizer(["a", "b", "c", "d", "e", "f", "g", "h"]), encode: () => [0] };
    const tokens: number[] = [];
    let text = "";
    let ended = 0;
    const run = generateWithCallbacks(
      syncModel(),
      "prompt",
      { temperature: 0 },
      {
        onToken: (ev) => {
          tokens.push(ev.token);
          if (!isFinishEvent(ev)) text += ev.text;
        },
        onEnd: () => ended++,
      },
      { tokenizer: tok, maxTokens: 3 },
    );
    await run.done;
    expect(tokens).toEqual([1, 2, 3]);
    expect(text).toBe("bcd");
    expect(ended).toBe(1);
  });

  it("ends at EOS without passing it on", async () => {
    const tokens: number[] = [];
    // Favourite after context length 3 is token 3 = EOS.
    await generateWithCallbacks(
      syncModel(3),
      [0],
      { temperature: 0 },
      { onToken: (ev) => tokens.push(ev.token) },
    ).done;
    expect(tokens).toEqual([1, 2]);
  });

  it("cancel() from inside onToken stops a synchronous model at once", async () => {
    const model = syncModel();
    const tokens: number[] = [];
    let ended = 0;
    const run = generateWithCallbacks(
      model,
      [0],
      { temperature: 0 },
      {
        onToken: (ev) => {
          tokens.push(ev.token);
          if (tokens.length === 2) run.cancel();
        },
        onEnd: () => ended++,
      },
    );
    await run.done;
    expect(tokens).toEqual([1, 2]);
    expect(model.calls).toBe(2);
    expect(ended).toBe(0);
  });

  it("cancel() aborts the asynchronous call in flight", async () => {
    const { source, calls } = asyncModel();
    const run = generateWithCallbacks(source, [0], {}, { onToken: () => {} });
    await new Promise((r) => setTimeout(r, 0));
    run.cancel();
    await run.done;
    expect(calls).toEqual([{ aborted: true, answered: false }]);
  });

  it("reports an error from the model or from onToken through onError and done", async () => {
    const errors: unknown[] = [];
    const run = generateWithCallbacks(
      syncModel(),
      [0],
      {},
      {
        onToken: () => {
          throw new Error("handler broke");
        },
        onError: (e) => errors.push(e),
      },
    );
    await expect(run.done).rejects.toThrow("handler broke");
    expect(errors).toHaveLength(1);
  });

  it("throws InvalidParamsError from the call for bad params", () => {
    expect(() => generateWithCallbacks(syncModel(), [0], { topP: 2 }, { onToken: () => {} })).toThrow(/topP/);
  });
});
