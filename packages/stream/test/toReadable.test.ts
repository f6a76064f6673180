import { type Readable, Writable } from "node:stream";
import type { LogitSource } from "@logitstream/core";
import { encodeRecords } from "@logitstream/wire";
import { from, map, Observable, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { fromAsyncIterable } from "../src/adapters/fromAsyncIterable.js";
import { toMsgpackReadable } from "../src/adapters/toMsgpackReadable.js";
import { toNdjsonReadable } from "../src/adapters/toNdjsonReadable.js";
import { toTextReadable } from "../src/adapters/toTextReadable.js";
import { generate } from "../src/generate.js";
import { decodeText } from "../src/operators/decodeText.js";
import { sampleTokens } from "../src/operators/sampleTokens.js";
import { createPacer } from "../src/pacer.js";
import { tableTokenizer } from "./helpers.js";

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const V = 8;
/** An endless synchronous model that counts its calls. */
function countingModel() {
  const state = { calls: 0 };
  const source: LogitSource = {
    vocabSize: V,
    next(ctx) {
      state.calls++;
      const row = new Float32Array(V);
      for (let i = 0; i < V; i++) row[i] = Math.cos(ctx.length * 1.3 + i);
      return row;
    },
  };
  return { source, state };
}

/** A writer that accepts a chunk only when the test acknowledges it: a consumer as slow as we like. */
function slowWriter() {
  const state = { lines: 0, acks: [] as (() => void)[] };
  const writable = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      state.lines += chunk.toString("utf8").split("\n").length - 1;
      state.acks.push(() => cb());
    },
  });
  return { writable, state };
}

describe("toTextReadable / toNdjsonReadable / toMsgpackReadable", () => {
  it("writes the exact text of decoded tokens, including characters split across tokens", async () => {
    const tok = tableTokenizer(["Hi ", [0xf0, 0x9f], [0x98, 0x80], [0xe8, 0xaa], [0x9e]]);
    const events = from([0, 1, 2, 3, 4]).pipe(
      map((token, step) => ({ step, token })),
      decodeText(tok),
    );
    expect((await readAll(toTextReadable(events))).toString("utf8")).toBe("Hi 😀語");
  });

  it("writes one NDJSON line per event with top_logprobs in OpenAI's name", async () => {
    const events = from([
      { step: 0, token: 3, logprob: -0.5, rank: 1, topLogprobs: [{ token: 3, logprob: -0.5 }] },
      { step: 1, token: 1, logprob: -2, rank: 2, id: "r" },
    ]);
    const lines = (await readAll(toNdjsonReadable(events))).toString("utf8").trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { step: 0, token: 3, logprob: -0.5, rank: 1, top_logprobs: [{ token: 3, logprob: -0.5 }] },
      { step: 1, token: 1, logprob: -2, rank: 2, id: "r" },
    ]);
  });

  it("writes msgpack maps byte-identical to wire's record encoder", async () => {
    const events = from([
      { step: 0, token: 3, logprob: -0.5, rank: 1 },
      { row: 4, probs: new Float32Array([0.25, 0.75]) },
    ]);
    const bytes = await readAll(toMsgpackReadable(events));
    const expected = encodeRecords(
      [{ step: 0, token: 3, logprob: -0.5, rank: 1 } as never, { row: 4, probs: [0.25, 0.75] }],
      "msgpack",
    );
    expect(new Uint8Array(bytes)).toEqual(expected);
  });

  it("destroys the readable with the observable's error", async () => {
    const r = toNdjsonReadable(throwError(() => new Error("model crashed")));
    await expect(readAll(r)).rejects.toThrow("model crashed");
  });

  it("does not subscribe before the readable is read", async () => {
    let subscribed = 0;
    const events = new Observable<{ text: string }>(() => {
      subscribed++;
    });
    const r = toTextReadable(events);
    await settle();
    expect(subscribed).toBe(0);
    r.read(0);
    expect(subscribed).toBe(1);
    r.destroy();
  });

  it("lets a slow writer slow the model: generate makes only as many calls as the writer took plus a bounded buffer", async () => {
    const { source, state: model } = countingModel();
    const pacer = createPacer();
    const out = toNdjsonReadable(generate(source, [1], { seed: 1 }, { pacer }), {
      pacer,
      highWaterMark: 256,
    });
    const { writable, state: writer } = slowWriter();
    out.pipe(writable);
    // Lines are ~60 bytes: the readable holds ~5 of them, the writer and the pipe one or two more.
    const bound = 12;
    for (let round = 0; round < 30; round++) {
      await settle();
      expect(model.calls).toBeLessThanOrEqual(writer.lines + bound);
      writer.acks.shift()?.();
    }
    await settle();
    expect(writer.lines).toBeGreaterThanOrEqual(25); // it did make progress
    expect(model.calls).toBeLessThanOrEqual(writer.lines + bound);
    out.destroy();
  });

  it("lets a slow writer slow the reader: an endless row source is pulled only as fast as events are written", async () => {
    const pulled = { n: 0 };
    const rows: AsyncIterable<Float32Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulled.n++;
          return { done: false, value: new Float32Array([0, 1, pulled.n % 3, 0.5]) };
        },
      }),
    };
    const pacer = createPacer();
    const out = toNdjsonReadable(fromAsyncIterable(rows, { pacer }).pipe(sampleTokens({ seed: 3 })), {
      pacer,
      highWaterMark: 256,
    });
    const { writable, state: writer } = slowWriter();
    out.pipe(writable);
    for (let round = 0; round < 20; round++) {
      await settle();
      expect(pulled.n).toBeLessThanOrEqual(writer.lines + 12);
      writer.acks.shift()?.();
    }
    expect(writer.lines).toBeGreaterThanOrEqual(15);
    out.destroy();
  });

  it("unsubscribes — aborting the model call in flight — when the readable is destroyed early", async () => {
    const signals: AbortSignal[] = [];
    const source: LogitSource = {
      vocabSize: V,
      next: (_ctx, signal) => {
        signals.push(signal as AbortSignal);
        return new Promise(() => {}); // a model that never answers
      },
    };
    const out = toTextReadable(generate(source, [1], {}).pipe(decodeText(tableTokenizer(["a"]))));
    out.read(0);
    expect(signals.length).toBe(1);
    out.destroy();
    expect(signals[0]!.aborted).toBe(true);
  });

  it("delivers the records buffered before an error (a generation's finish event) and then the error", async () => {
    // The finish event and the error arrive while the reader is busy with the first record.
    const events$ = new Observable<object>((sub) => {
      sub.next({ step: 0, token: 1 });
      setImmediate(() => {
        sub.next({ finishReason: "abort", steps: 1 });
        sub.error(new Error("stopped"));
      });
    });
    const r = toNdjsonReadable(events$);
    const parts: string[] = [];
    let error: unknown;
    try {
      for await (const c of r) {
        parts.push(String(c));
        await settle();
      }
    } catch (err) {
      error = err;
    }
    expect(parts.join("")).toBe('{"step":0,"token":1}\n{"finish_reason":"abort","steps":1}\n');
    expect((error as Error).message).toBe("stopped");
  });

  it("writes nothing for a finish event in text mode", async () => {
    const out = await readAll(
      toTextReadable(from([{ text: "a" }, { text: "b" }, { finishReason: "length" as const, steps: 2 }])),
    );
    expect(out.toString()).toBe("ab");
  });
});
