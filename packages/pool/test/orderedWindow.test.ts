import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { orderedWindow } from "../src/orderedWindow.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("orderedWindow", () => {
  it("yields results in source order even when later calls finish first", async () => {
    const delays = [5, 1, 3, 0, 2, 4];
    const out = await collect(
      orderedWindow(delays, 3, async (d, i) => {
        for (let k = 0; k < d; k++) await tick();
        return i;
      }),
    );
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("never holds more than `limit` items taken from the source and not yet consumed", async () => {
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    let consumed = 0;
    let worst = 0;
    let peak = 0;
    for await (const _ of orderedWindow(source(), 4, async (x) => x, {
      onCount: (n) => (peak = Math.max(peak, n)),
    })) {
      consumed++;
      worst = Math.max(worst, pulled - consumed);
      await tick();
    }
    expect(consumed).toBe(1000);
    expect(worst).toBeLessThanOrEqual(4);
    expect(peak).toBe(4);
  });

  it("delivers a ready result while the source is still waiting for its next item", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* source() {
      yield 1;
      await gate;
      yield 2;
    }
    const it = orderedWindow(source(), 4, async (x) => x * 10);
    expect((await it.next()).value).toBe(10);
    release();
    expect((await it.next()).value).toBe(20);
    expect((await it.next()).done).toBe(true);
  });

  it("yields the results before a failed call, then throws its error and closes the source", async () => {
    let closed = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const out: number[] = [];
    const error = await (async () => {
      for await (const x of orderedWindow(source(), 3, async (i) => {
        if (i === 4) throw new Error("call 4 failed");
        return i;
      })) {
        out.push(x);
      }
    })().catch((e) => e);
    expect(out).toEqual([0, 1, 2, 3]);
    expect(error.message).toBe("call 4 failed");
    expect(closed).toBe(true);
  });

  it("stops at once when the stop promise rejects, even while the source waits forever", async () => {
    let stop!: (e: Error) => void;
    const stopped = new Promise<never>((_, reject) => {
      stop = reject;
    });
    async function* source() {
      yield 1;
      await new Promise(() => {});
    }
    const it = orderedWindow(source(), 2, async (x) => x, { stop: stopped });
    expect((await it.next()).value).toBe(1);
    const next = it.next();
    stop(new Error("aborted"));
    await expect(next).rejects.toThrow("aborted");
  });

  it("keeps no reference to delivered items while its stop promise stays pending", async () => {
    // The pool passes a stop promise that lives as long as the pool and normally never settles. Racing
    // it on every step used to leave one reaction per step on it, each holding that step's pulled item
    // (a whole chunk of input): memory grew with the input.
    const stop = new Promise<never>(() => {});
    const refs: WeakRef<Uint8Array>[] = [];
    function* source() {
      for (let i = 0; i < 100; i++) {
        const item = new Uint8Array(1024);
        refs.push(new WeakRef(item));
        yield item;
      }
    }
    let n = 0;
    for await (const _ of orderedWindow(source(), 2, async (x) => x.length, { stop })) n++;
    expect(n).toBe(100);
    for (let i = 0; i < 3; i++) {
      await tick();
      gc();
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive, `${alive} of 100 delivered items are still reachable`).toBeLessThanOrEqual(2);
  });
});
