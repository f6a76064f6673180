import { AbortedError, LogitstreamError, scoreBatch } from "@logitstream/core";
import { afterEach, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
import { PoolBusyError, PoolClosedError } from "../src/errors.js";
import type { Pool } from "../src/poolTypes.js";
import { batches } from "./helpers.js";

const pools: Pool[] = [];
function pool(...args: Parameters<typeof createPool>): Pool {
  const p = createPool(...args);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

const V = 64;
/**
 * `n` one-row batches (global row i), on ordinary (unshared) memory: each call is one task (a call of more
 * rows would be split into parts) and stages one slab.
 */
function requests(n: number) {
  return [...batches(n, 1, V)];
}

// Admission is decided synchronously when a call is made (no await comes before a task is dispatched or
// queued), so calls made in one synchronous burst meet a known state: the first maxInFlight run, the next
// maxQueue wait, the rest are refused. No timing is involved.
describe("maxQueue: the pool's bounded queue", () => {
  it("rejects a call beyond maxQueue at once with a typed, retryable PoolBusyError, and runs the others", async () => {
    const p = pool({ threads: 1, maxInFlight: 1, maxQueue: 2, inlineThreshold: 0 });
    const batch = requests(4);
    const calls = batch.map((b) =>
      p.score(b).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    );
    expect(p.stats()).toMatchObject({ inFlight: 1, queued: 2, rejected: 1 });
    const settled = await Promise.all(calls);
    expect(settled.map((s) => s.ok)).toEqual([true, true, true, false]);
    const refused = settled[3]!;
    if (refused.ok) throw new Error("unreachable: checked above");
    expect(refused.e).toBeInstanceOf(PoolBusyError);
    expect(refused.e).toBeInstanceOf(LogitstreamError);
    expect(refused.e).toMatchObject({
      name: "PoolBusyError",
      code: "E_POOL_BUSY",
      retryable: true,
      queued: 2,
      maxQueue: 2,
    });
    expect((refused.e as Error).message).toContain("maxQueue = 2");
    // The three that ran are exactly the core's results for their rows.
    for (let i = 0; i < 3; i++) {
      const s = settled[i]!;
      if (!s.ok) throw new Error("unreachable: checked above");
      const b = batch[i]!;
      const expected = scoreBatch(b.data, b.rows, V, b.targets!, { firstRow: b.firstRow });
      expect(s.r.logprobs).toEqual(expected.logprobs);
      expect(s.r.ranks).toEqual(expected.ranks);
    }
    // Retryable: the same call succeeds once the queue has room.
    const retried = await p.score(batch[3]!);
    expect(retried.logprobs).toEqual(
      scoreBatch(batch[3]!.data, 1, V, batch[3]!.targets!, { firstRow: 3 }).logprobs,
    );
    expect(p.stats()).toMatchObject({ inFlight: 0, queued: 0, peakQueued: 2, rejected: 1, peakInFlight: 1 });
  });

  it("with maxQueue 0 refuses every call that would wait, none that can run", async () => {
    const p = pool({ threads: 1, maxInFlight: 2, maxQueue: 0, inlineThreshold: 0 });
    const results = await Promise.allSettled(requests(3).map((b) => p.score(b)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(PoolBusyError);
  });

  it("leaves nothing behind: an aborted waiting call leaves the queue, destroy rejects the waiting ones", async () => {
    const p = pool({ threads: 1, maxInFlight: 1, maxQueue: 10, inlineThreshold: 0 });
    const [a, b, c] = requests(3);
    const controller = new AbortController();
    const first = p.score(a!);
    const waiting = p.score(b!, { signal: controller.signal }).catch((e: unknown) => e);
    const last = p.score(c!);
    expect(p.stats().queued).toBe(2);
    controller.abort(new Error("client went away"));
    expect(p.stats().queued).toBe(1);
    expect(await waiting).toBeInstanceOf(AbortedError);
    expect((await first).logprobs).toHaveLength(1);
    expect((await last).logprobs).toHaveLength(1);
    expect(p.stats()).toMatchObject({ inFlight: 0, queued: 0 });
    await p.close();
    expect(p.stats()).toMatchObject({ inFlight: 0, queued: 0, outstanding: 0 });

    const q = pool({ threads: 1, maxInFlight: 1, inlineThreshold: 0 });
    const calls = requests(3).map((x) => q.score(x).catch((e: unknown) => e));
    expect(q.stats().queued).toBe(2);
    await q.destroy();
    const errors = await Promise.all(calls);
    expect(errors[1]).toBeInstanceOf(PoolClosedError);
    expect(errors[2]).toBeInstanceOf(PoolClosedError);
    expect(q.stats().queued).toBe(0);
  });

  it("keeps tasks and staged slabs bounded by maxInFlight under 500 concurrent calls with inlineThreshold 0", async () => {
    const p = pool({ threads: 2, inlineThreshold: 0 }); // maxInFlight 4, maxQueue unbounded
    const batch = requests(500);
    const results = await Promise.all(batch.map((b) => p.score(b)));
    for (let i = 0; i < batch.length; i += 37) {
      const b = batch[i]!;
      expect(results[i]!.logprobs).toEqual(
        scoreBatch(b.data, 1, V, b.targets!, { firstRow: b.firstRow }).logprobs,
      );
    }
    const s = p.stats();
    expect(s.tasks).toBe(500);
    expect(s.inlineTasks).toBe(0);
    expect(s.peakInFlight).toBeLessThanOrEqual(4);
    expect(s.peakQueued).toBe(496); // the first four ran at once, every other call waited unstaged
    expect(s.slabsAllocated).toBeLessThanOrEqual(4);
    expect(s).toMatchObject({ inFlight: 0, queued: 0, rejected: 0 });
  });
});
