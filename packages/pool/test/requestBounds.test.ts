import { InvalidParamsError } from "@logitstream/core";
import { encodeNdjson } from "@logitstream/wire";
import { afterEach, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
import type { Pool } from "../src/poolTypes.js";

const pools: Pool[] = [];
function pool(...args: Parameters<typeof createPool>): Pool {
  const p = createPool(...args);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

// Row [1, 2, 3]: log_softmax_i = i + 1 − log(e + e² + e³), in float64.
const LSE = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
const row = () => ({ data: Float32Array.from([1, 2, 3]), rows: 1, vocab: 3 });

async function rejection(p: Promise<unknown>): Promise<InvalidParamsError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InvalidParamsError);
  return e as InvalidParamsError;
}

describe("pool request bounds", () => {
  // inlineThreshold 0: every call would go to a worker; the check runs before any dispatch.
  it("refuses logprobs: 1e9 on the calling thread with a typed error (the issue's repro)", async () => {
    const p = pool({ threads: 1, inlineThreshold: 0 });
    const e = await rejection(p.sample(row(), {}, { logprobs: 1e9 }));
    expect(e.param).toBe("logprobs");
    expect(e.message).toMatch(/must be an integer in \[0, 4096\], got 1000000000/);
    expect(p.stats().tasks).toBe(0);
    expect(p.stats().started).toBe(false);
  });

  it.each<[string, (p: Pool) => Promise<unknown>, string, RegExp]>([
    [
      "logprobs as a string",
      (p) => p.sample(row(), {}, { logprobs: "5" as never }),
      "logprobs",
      /got "5" \(a string\)/,
    ],
    [
      "firstRow as a string",
      (p) => p.sample({ ...row(), firstRow: "x" as never }),
      "firstRow",
      /got "x" \(a string\)/,
    ],
    ["top too large", (p) => p.score(row(), { top: 5000 }), "top", /got 5000/],
    ["vocab as a string", (p) => p.score({ ...row(), vocab: "3" as never }), "vocab", /got "3" \(a string\)/],
    ["rows negative", (p) => p.softmax({ ...row(), rows: -1 }), "rows", /got -1/],
  ])("%s is a typed error showing the value", async (_, call, param, message) => {
    const e = await rejection(call(pool({ threads: 1, inlineThreshold: 0 })));
    expect(e.param).toBe(param);
    expect(e.message).toMatch(message);
  });

  it("refuses a run whose job asks for too many entries before reading its source", async () => {
    const p = pool({ threads: 1 });
    expect(() => p.run([], { kind: "sample", logprobs: 1e9 })).toThrow(InvalidParamsError);
  });

  for (const inlineThreshold of [0, 1e6]) {
    it(`returns V entries for a top-N larger than V (${inlineThreshold === 0 ? "worker" : "inline"})`, async () => {
      const p = pool({ threads: 1, inlineThreshold });
      const data = Float32Array.from([1, 2, 3, 3, 2, 1]);
      const s = await p.sample({ data, rows: 2, vocab: 3 }, { temperature: 0 }, { logprobs: 10 });
      expect(Array.from(s.topTokens!)).toEqual([2, 1, 0, 0, 1, 2]);
      const sc = await p.score({ data, rows: 2, vocab: 3 }, { top: 10 });
      expect(Array.from(sc.topTokens!)).toEqual([2, 1, 0, 0, 1, 2]);
      for (let k = 0; k < 3; k++) expect(sc.topLogprobs![k]).toBeCloseTo(3 - k - LSE, 6);
    });
  }

  it("writes V top_logprobs entries per record (no -1/null padding)", async () => {
    const p = pool({ threads: 1, inlineThreshold: 0 });
    const bytes = encodeNdjson({ rows: 1, vocab: 3, data: Float32Array.from([1, 2, 3]) });
    const { frameChunks } = await import("@logitstream/wire");
    const lines: string[] = [];
    for await (const r of p.run(frameChunks([bytes]), {
      kind: "sample",
      params: { temperature: 0 },
      logprobs: 10,
      output: "ndjson",
    })) {
      lines.push(...new TextDecoder().decode(r.bytes).trim().split("\n"));
    }
    const rec = JSON.parse(lines[0]!);
    expect(rec.top_logprobs.map((t: { token: number }) => t.token)).toEqual([2, 1, 0]);
    expect(rec.top_logprobs.every((t: { logprob: unknown }) => typeof t.logprob === "number")).toBe(true);
  });
});
