import type { LogitSource } from "@logitstream/core";
import { guidance } from "@logitstream/core";
import { firstValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { guidedSource } from "../src/guidedSource.js";
import { generate, StreamUsageError } from "../src/index.js";

/** A source whose row depends on the context length and a bias per token; it reuses one buffer. */
function fakeSource(bias: number[], eosId?: number, async = false): LogitSource & { seen: number[][] } {
  const row = new Float32Array(bias.length);
  const seen: number[][] = [];
  const make = (ctx: ArrayLike<number>) => {
    seen.push(Array.from(ctx));
    for (let i = 0; i < bias.length; i++) row[i] = bias[i]! + ((ctx.length + i) % 3) * 0.5;
    return row;
  };
  const s: LogitSource & { seen: number[][] } = {
    vocabSize: bias.length,
    seen,
    next: (ctx) => (async ? Promise.resolve(make(ctx)) : make(ctx)),
  };
  if (eosId !== undefined) (s as { eosId?: number }).eosId = eosId;
  return s;
}

describe("guidedSource", () => {
  it.each([false, true])(
    "returns guidance(cond, uncond, scale) of the two rows (async %s)",
    async (async) => {
      const a = fakeSource([0, 1, -1, 0.5], 3, async);
      const b = fakeSource([1, 0, 0, -2], undefined, async);
      const g = guidedSource(a, b, { scale: 2, unconditionalContext: (ctx) => Array.from(ctx).slice(1) });
      const got = Float32Array.from(await g.next([7, 8, 9]));
      const c = Float32Array.from([0, 1, -1, 0.5].map((v, i) => v + ((3 + i) % 3) * 0.5));
      const u = Float32Array.from([1, 0, 0, -2].map((v, i) => v + ((2 + i) % 3) * 0.5));
      expect(Array.from(got)).toEqual(Array.from(guidance(c, u, 2)));
      expect(b.seen).toEqual([[8, 9]]);
      expect(g.eosId).toBe(3);
    },
  );

  it("copies the conditional row before the second call when both are the same source (one buffer)", () => {
    const m = fakeSource([0, 1, 2]);
    const g = guidedSource(m, m, { scale: 1 });
    // scale 1 returns log_softmax(cond): the conditional row, not the unconditional one that overwrote the buffer
    const got = Array.from(g.next([1, 2]) as Float32Array);
    const c = [0, 1, 2].map((v, i) => v + ((2 + i) % 3) * 0.5);
    const lse = Math.log(c.reduce((s, x) => s + Math.exp(x), 0));
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(c[i]! - lse, 5);
    });
  });

  it("drives generate like any source", async () => {
    const g = guidedSource(fakeSource([0, 1, -1, 0.5], 3), fakeSource([1, 0, 0, -2]), { scale: 1.5 });
    const events = await firstValueFrom(
      generate(g, [1], { seed: 3 }, { maxTokens: 5, stopAtEos: false }).pipe(toArray()),
    );
    // Five tokens, then the finish event that ends every generation.
    expect(events).toHaveLength(6);
    expect(events[5]).toEqual({ finishReason: "length", steps: 5 });
  });

  it("rejects different vocabularies and a non-finite scale", () => {
    expect(() => guidedSource(fakeSource([0, 1]), fakeSource([0, 1, 2]), { scale: 2 })).toThrow(
      StreamUsageError,
    );
    expect(() => guidedSource(fakeSource([0, 1]), fakeSource([0, 1]), { scale: Number.NaN })).toThrow(
      /finite/,
    );
  });
});
