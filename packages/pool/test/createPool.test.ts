import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { InvalidLogitsError, sampleBatch, scoreBatch, softmaxBatch } from "@logitstream/core";
import { afterEach, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
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

const V = 1000;
const [big] = [...batches(96, 96, V)];
const copy = () => ({ ...big!, data: big!.data.slice() });
const params = { temperature: 0.8, topK: 50, topP: 0.9, seed: 11 };

describe("createPool with the core's kernels", () => {
  it("samples exactly what the core samples, for 1 and 2 threads and inline", async () => {
    const expected = sampleBatch(big!.data, 96, V, params, { firstRow: 0, logprobs: 3 });
    for (const opts of [
      { threads: 1, inlineThreshold: 0 },
      { threads: 2, inlineThreshold: 0 },
      { threads: 2 },
    ]) {
      const p = pool(opts);
      const got = await p.sample(copy(), params, { logprobs: 3 });
      expect(got.tokens).toEqual(expected.tokens);
      expect(got.logprobs).toEqual(expected.logprobs);
      expect(got.topTokens).toEqual(expected.topTokens);
      expect(got.topLogprobs).toEqual(expected.topLogprobs);
    }
  });

  it("uses the global row index as each row's random stream, so any split gives the same tokens", async () => {
    const p = pool({ threads: 2, inlineThreshold: 0 });
    const whole = await p.sample(copy(), params);
    const halves = await Promise.all([
      p.sample({ data: big!.data.slice(0, 40 * V), rows: 40, vocab: V }, params),
      p.sample({ data: big!.data.slice(40 * V), rows: 56, vocab: V, firstRow: 40 }, params),
    ]);
    expect([...halves[0].tokens, ...halves[1].tokens]).toEqual([...whole.tokens]);
  });

  it("scores and softmaxes exactly as the core does", async () => {
    const p = pool({ threads: 2, inlineThreshold: 0 });
    const expected = scoreBatch(big!.data, 96, V, big!.targets!, { top: 2 });
    const got = await p.score(copy(), { top: 2 });
    expect(got.logprobs).toEqual(expected.logprobs);
    expect(got.ranks).toEqual(expected.ranks);
    expect(got.entropies).toEqual(expected.entropies);
    expect(got.topTokens).toEqual(expected.topTokens);
    const out = new Float32Array(96 * V);
    softmaxBatch(big!.data, 96, V, out, { log: true, temperature: 0.7 });
    expect(await p.softmax(copy(), { log: true, temperature: 0.7 })).toEqual(out);
  });

  it("reports a bad row as the core's InvalidLogitsError naming its global row", async () => {
    const p = pool({ threads: 2, inlineThreshold: 0 });
    const b = copy();
    b.data[70 * V + 5] = Number.NaN;
    const error = await p.sample({ ...b, firstRow: 1000 }, params).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidLogitsError);
    expect(error.row).toBe(1070);
    expect(error.index).toBe(5);
  });

  it("lets the process exit on its own after a job is aborted", async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./fixtures/abortChild.mjs", import.meta.url))],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    // A guard against a hang, not a timing: a child that has not exited by then fails the test.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(guard);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(out.trim()).toBe("AbortedError:E_ABORTED:true");
  });
});
