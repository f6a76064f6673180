// A worker entry that cannot load (a broken installation) must fail every task with WorkerStartError,
// at once and for every caller — not leave them pending: piscina stops starting workers whose entry
// fails and keeps the tasks queued, and with no live handle a program would then exit silently.
import { describe, expect, it } from "vitest";
import { WorkerStartError } from "../src/errors.js";
import type { Pool } from "../src/poolTypes.js";
import { startPool } from "../src/startPool.js";
// @ts-expect-error: a plain .mjs fixture without type declarations
import { toyKernels } from "./fixtures/toyKernels.mjs";
import { batches, testPool } from "./helpers.js";

function brokenPool(entry: string, threads: number): Pool {
  return startPool(
    { threads, inlineThreshold: 0, maxInFlight: 2 },
    { workerUrl: new URL(entry, import.meta.url), kernels: toyKernels as never },
  );
}

const V = 64;

describe("workers that cannot start", () => {
  it.each([
    ["./fixtures/throwsAtLoad.mjs", 1, /could not start \(this worker entry throws at load\)/],
    ["./fixtures/throwsAtLoad.mjs", 2, /could not start \(this worker entry throws at load\)/],
    ["./fixtures/noSuchEntry.mjs", 2, /could not start \(Cannot find module .*noSuchEntry\.mjs/],
  ])(
    "%s on %d thread(s): every task rejects with WorkerStartError, waiting ones too",
    async (entry, threads, message) => {
      const pool = brokenPool(entry, threads);
      try {
        // Six tasks with two admitted at a time: four wait for a slot when the workers fail.
        const tasks = [...batches(6 * 8, 8, V)].map((b) => pool.score(b));
        const settled = await Promise.allSettled(tasks);
        expect(settled.map((s) => s.status)).toEqual(Array(6).fill("rejected"));
        for (const s of settled) {
          const err = (s as PromiseRejectedResult).reason as WorkerStartError;
          expect(err).toBeInstanceOf(WorkerStartError);
          expect(err.code).toBe("E_WORKER_START");
          expect(err.message).toMatch(message);
        }
        // A task submitted afterwards rejects too (no worker is started again).
        await expect(pool.score([...batches(8, 8, V)][0]!)).rejects.toBeInstanceOf(WorkerStartError);
      } finally {
        await pool.destroy();
      }
    },
    30_000,
  );

  it.each(["exit", "throw"] as const)(
    "is not confused with a worker that fails on its first task (%s): the task is retried and succeeds",
    async (kind) => {
      const pool = testPool({ threads: 2 }, [{ row: 3, kind, times: 1 }]);
      try {
        const r = await pool.score([...batches(16, 16, V)][0]!);
        expect(r.logprobs.length).toBe(16);
        expect(pool.stats().retries).toBe(1);
      } finally {
        await pool.destroy();
      }
    },
    30_000,
  );
});
