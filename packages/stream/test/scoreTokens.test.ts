import { InvalidTargetError } from "@logitstream/core";
import { from, lastValueFrom, type Observable, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { scoreTokens } from "../src/operators/scoreTokens.js";
import type { LogitFrame } from "../src/types.js";
import { testScheduler } from "./helpers.js";

const run = <T>(o: Observable<T>) => lastValueFrom(o.pipe(toArray()));
const ln3 = Math.log(3);
// p = (1/4, 3/4): H = -(1/4 ln 1/4 + 3/4 ln 3/4)
const H = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));

describe("scoreTokens", () => {
  it("scores each row in the frame it arrives and completes with its input", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold<LogitFrame>("a-b|", {
        a: { logits: new Float32Array([0, ln3]), target: 0 },
        b: { logits: new Float32Array([0, ln3]), target: 1 },
      });
      expectObservable(src.pipe(scoreTokens())).toBe("x-y|", {
        x: {
          row: 0,
          target: 0,
          logprob: expect.closeTo(Math.log(0.25), 6),
          rank: 2,
          entropy: expect.closeTo(H, 6),
        },
        y: {
          row: 1,
          target: 1,
          logprob: expect.closeTo(Math.log(0.75), 6),
          rank: 1,
          entropy: expect.closeTo(H, 6),
        },
      });
    });
  });

  it("forwards an upstream error", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold<LogitFrame>("-#", {}, new Error("truncated frame"));
      expectObservable(src.pipe(scoreTokens())).toBe("-#", {}, new Error("truncated frame"));
    });
  });

  it("scores a row without target by its entropy alone", async () => {
    const [e] = await run(from([new Float32Array([0, ln3])]).pipe(scoreTokens()));
    expect(e).toEqual({ row: 0, entropy: expect.closeTo(H, 6) });
  });

  it("takes batch targets from the frame and others from the targets option by global row", async () => {
    const data = new Float32Array([0, ln3, ln3, 0, 0, 0]);
    const events = await run(
      from([
        { data, rows: 2, vocab: 2, targets: new Int32Array([1, -1]), ids: ["p", "q"] },
        new Float32Array([0, ln3]),
      ]).pipe(scoreTokens({ targets: [0, 0, 0] })),
    );
    expect(events.map((e) => [e.row, e.target, e.id])).toEqual([
      [0, 1, "p"],
      [1, undefined, "q"],
      [2, 0, undefined],
    ]);
    expect(events[2]!.logprob).toBeCloseTo(Math.log(0.25), 6);
    expect(events[2]!.rank).toBe(2);
  });

  it("reports the N most likely tokens with top", async () => {
    const [e] = await run(
      from([{ logits: new Float32Array([0, ln3, 0]), target: 2 }]).pipe(scoreTokens({ top: 2 })),
    );
    expect(e!.topLogprobs!.map((t) => t.token)).toEqual([1, 0]);
    expect(e!.topLogprobs![0]!.logprob).toBeCloseTo(Math.log(0.6), 6);
    expect(e!.rank).toBe(2);
  });

  it("errors with the core's typed error for a target outside the vocabulary", async () => {
    await expect(
      run(from([{ logits: new Float32Array([0, 1]), target: 5 }]).pipe(scoreTokens())),
    ).rejects.toBeInstanceOf(InvalidTargetError);
  });
});
