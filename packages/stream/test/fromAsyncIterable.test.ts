import { lastValueFrom, take, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { fromAsyncIterable } from "../src/adapters/fromAsyncIterable.js";
import { createPacer } from "../src/pacer.js";

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

/** An endless async iterable that counts how many items were pulled and whether it was closed. */
function counting() {
  const state = { pulled: 0, returned: false };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      return {
        next: async () => ({ done: false, value: state.pulled++ }),
        return: async () => {
          state.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, state };
}

describe("fromAsyncIterable", () => {
  it("emits every item in order and completes when the iterable ends", async () => {
    async function* gen() {
      yield 1;
      yield 2;
      yield 3;
    }
    expect(await lastValueFrom(fromAsyncIterable(gen()).pipe(toArray()))).toEqual([1, 2, 3]);
  });

  it("forwards the iterable's error after the items before it", async () => {
    const seen: number[] = [];
    async function* gen() {
      yield 1;
      throw new Error("bad frame 1");
    }
    const err = await lastValueFrom(fromAsyncIterable(gen()).pipe()).catch((e: unknown) => e);
    fromAsyncIterable(gen()).subscribe({ next: (v) => seen.push(v), error: () => {} });
    await settle();
    expect((err as Error).message).toBe("bad frame 1");
    expect(seen).toEqual([1]);
  });

  it("pulls no further item after unsubscription and closes the iterator", async () => {
    const { iterable, state } = counting();
    expect(await lastValueFrom(fromAsyncIterable(iterable).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    await settle();
    expect(state.pulled).toBe(3);
    expect(state.returned).toBe(true);
  });

  it("pulls nothing while its pacer is paused and goes on when it is resumed", async () => {
    const { iterable, state } = counting();
    const pacer = createPacer();
    const seen: number[] = [];
    const sub = fromAsyncIterable(iterable, { pacer }).subscribe((v) => {
      seen.push(v);
      if (seen.length === 2 || seen.length === 5) pacer.pause();
    });
    await settle();
    expect(seen).toEqual([0, 1]);
    expect(state.pulled).toBe(2);
    pacer.resume();
    await settle();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(state.pulled).toBe(5);
    sub.unsubscribe();
    expect(state.returned).toBe(true);
  });

  it("repeats from a fresh iterator on every subscription", async () => {
    const iterable = {
      async *[Symbol.asyncIterator]() {
        yield "a";
        yield "b";
      },
    };
    const o = fromAsyncIterable(iterable);
    expect(await lastValueFrom(o.pipe(toArray()))).toEqual(["a", "b"]);
    expect(await lastValueFrom(o.pipe(toArray()))).toEqual(["a", "b"]);
  });
});
