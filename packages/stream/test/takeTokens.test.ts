import { InvalidParamsError } from "@logitstream/core";
import { from, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { cutAtStopSequences } from "../src/operators/cutAtStopSequences.js";
import { takeTokens } from "../src/operators/takeTokens.js";
import type { StopInfo } from "../src/types.js";
import { testScheduler } from "./helpers.js";

const t = (step: number, token: number, text?: string) =>
  text === undefined ? { step, token } : { step, token, text };

async function collect<T>(o: Observable<T>): Promise<T[]> {
  const out: T[] = [];
  await new Promise<void>((resolve, reject) =>
    o.subscribe({ next: (v) => out.push(v), error: reject, complete: resolve }),
  );
  return out;
}

// stopWhen is these two operators in a row; its own tests cover them together. These check each alone.
describe("takeTokens", () => {
  it("stops at EOS without emitting it, with a finish event naming the EOS token, and unsubscribes there", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-e-b|", { a: t(0, 5), e: t(1, 2), b: t(2, 6) });
      expectObservable(src.pipe(takeTokens({ eos: [9, 2] }))).toBe("a-(f|)", {
        a: t(0, 5),
        f: { finishReason: "stop", steps: 1, eosToken: 2 },
      });
      expectSubscriptions(src.subscriptions).toBe("^-!");
    });
  });

  it("emits the maxTokens-th token, then a length finish event, and reports both stops through onStop", async () => {
    const stops: StopInfo[] = [];
    const out = await collect(
      from([t(0, 1), t(1, 3), t(2, 4)]).pipe(takeTokens({ maxTokens: 2, onStop: (i) => stops.push(i) })),
    );
    expect(out).toEqual([t(0, 1), t(1, 3), { finishReason: "length", steps: 2 }]);
    expect(stops).toEqual([{ reason: "length", step: 1 }]);
    expect(await collect(from([t(0, 1)]).pipe(takeTokens({ maxTokens: 0 })))).toEqual([
      { finishReason: "length", steps: 0 },
    ]);
  });

  it("passes text events and an upstream finish event through untouched, and rejects a bad limit", async () => {
    const fin = { finishReason: "stop" as const, steps: 1, eosToken: 7 };
    expect(await collect(from([t(0, 1, "a"), fin]).pipe(takeTokens({ maxTokens: 5 })))).toEqual([
      t(0, 1, "a"),
      fin,
    ]);
    expect(() => takeTokens({ maxTokens: 1.5 })).toThrow(InvalidParamsError);
  });
});

describe("cutAtStopSequences", () => {
  it("holds text that may start a stop string, cuts at the match and ends with a stop finish event", async () => {
    const stops: StopInfo[] = [];
    const out = await collect(
      from([t(0, 1, "Hel"), t(1, 2, "lo\n"), t(2, 3, "\nBye"), t(3, 4, "!")]).pipe(
        cutAtStopSequences({ stopSequences: ["\n\n"], onStop: (i) => stops.push(i) }),
      ),
    );
    expect(out).toEqual([
      t(0, 1, "Hel"),
      t(1, 2, "lo"),
      { finishReason: "stop", steps: 2, stopSequence: "\n\n" },
    ]);
    expect(stops).toEqual([{ reason: "stop", step: 2, sequence: "\n\n" }]);
  });

  it("releases held events unchanged when the prefix breaks or the input ends", async () => {
    const out = await collect(
      from([t(0, 1, "a\n"), t(1, 2, "b"), t(2, 3, "c\n")]).pipe(
        cutAtStopSequences({ stopSequences: ["\n\n"] }),
      ),
    );
    expect(out).toEqual([t(0, 1, "a\n"), t(1, 2, "b"), t(2, 3, "c\n")]);
  });

  it("rejects an empty stop string and events without text", async () => {
    expect(() => cutAtStopSequences({ stopSequences: [""] })).toThrow(InvalidParamsError);
    await expect(collect(from([t(0, 1)]).pipe(cutAtStopSequences({ stopSequences: ["x"] })))).rejects.toThrow(
      /needs events with text/,
    );
  });
});
