import { InvalidLogitsError, InvalidParamsError } from "@logitstream/core";
import { from, lastValueFrom, type Observable, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { softmaxFrames } from "../src/operators/softmaxFrames.js";
import type { LogitFrame } from "../src/types.js";
import { testScheduler } from "./helpers.js";

const run = <T>(o: Observable<T>) => lastValueFrom(o.pipe(toArray()));
const ln3 = Math.log(3);

describe("softmaxFrames", () => {
  it("emits each row's probabilities in the frame it arrives, and completes with its input", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Values whose softmax is exact in float32, so the expected arrays can be written out.
      const src = cold<LogitFrame>("-a-b|", {
        a: new Float32Array([1, 1, 1, 1]),
        b: new Float32Array([0, 0]),
      });
      expectObservable(src.pipe(softmaxFrames())).toBe("-x-y|", {
        x: { row: 0, probs: new Float32Array([0.25, 0.25, 0.25, 0.25]) },
        y: { row: 1, probs: new Float32Array([0.5, 0.5]) },
      });
    });
  });

  it("emits the rows of a batch together and errors with InvalidLogitsError naming the global row", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const good = { data: new Float32Array([0, 0, -7, -7]), rows: 2, vocab: 2, firstRow: 10 };
      const bad = { logits: new Float32Array([0, Number.NaN]) };
      const src = cold<LogitFrame>("a-----b|", { a: good, b: bad });
      expectObservable(src.pipe(softmaxFrames())).toBe(
        "(xy)--#",
        {
          x: { row: 10, probs: new Float32Array([0.5, 0.5]) },
          y: { row: 11, probs: new Float32Array([0.5, 0.5]) },
        },
        expect.objectContaining({ name: "InvalidLogitsError", row: 12 }),
      );
    });
  });

  it("gives log-probabilities with log: true", async () => {
    const [e] = await run(from([new Float32Array([0, ln3])]).pipe(softmaxFrames({ log: true })));
    expect(e!.logprobs![0]).toBeCloseTo(Math.log(0.25), 6);
    expect(e!.logprobs![1]).toBeCloseTo(Math.log(0.75), 6);
    expect(e!.probs).toBeUndefined();
  });

  it("divides the logits by the temperature, and is one-hot at temperature 0", async () => {
    const [hot] = await run(from([new Float32Array([0, 2 * ln3])]).pipe(softmaxFrames({ temperature: 2 })));
    expect(hot!.probs![0]).toBeCloseTo(0.25, 6);
    const [greedy] = await run(from([new Float32Array([1, 3, 2])]).pipe(softmaxFrames({ temperature: 0 })));
    expect(Array.from(greedy!.probs!)).toEqual([0, 1, 0]);
  });

  it("keeps only the N most likely tokens with top, ties going to the lower id", async () => {
    // probabilities 0.1, 0.3, 0.3, 0.2, 0.1 (logits are their logs)
    const logits = new Float32Array([0.1, 0.3, 0.3, 0.2, 0.1].map(Math.log));
    const [e] = await run(from([{ logits, id: "q" }]).pipe(softmaxFrames({ top: 3 })));
    expect(e!.id).toBe("q");
    expect(e!.top!.map((t) => t.token)).toEqual([1, 2, 3]);
    expect(e!.top![0]!.prob).toBeCloseTo(0.3, 6);
    expect(e!.top![2]!.prob).toBeCloseTo(0.2, 6);
    const [l] = await run(from([logits]).pipe(softmaxFrames({ top: 2, log: true })));
    expect(l!.top!.map((t) => t.token)).toEqual([1, 2]);
    expect(l!.top![0]!.logprob).toBeCloseTo(Math.log(0.3), 6);
  });

  it("gives each row the same result however the rows are grouped into frames", async () => {
    const rows = Array.from({ length: 6 }, (_, r) => new Float32Array([r, -r, r * 0.5, 1]));
    const data = new Float32Array(24);
    for (const [r, x] of rows.entries()) data.set(x, r * 4);
    const one = await run(from(rows).pipe(softmaxFrames()));
    const batched = await run(from([{ data, rows: 6, vocab: 4 }]).pipe(softmaxFrames()));
    expect(batched).toEqual(one);
  });

  it("rejects a negative or fractional top when it is built", () => {
    expect(() => softmaxFrames({ top: -1 })).toThrow(InvalidParamsError);
    expect(() => softmaxFrames({ top: 1.5 })).toThrow(InvalidParamsError);
  });

  it("names a bad row in a later frame by its global index", async () => {
    const err = await run(
      from([new Float32Array([0, 1]), new Float32Array([0, Number.POSITIVE_INFINITY])]).pipe(softmaxFrames()),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidLogitsError);
    expect((err as InvalidLogitsError).row).toBe(1);
  });
});
