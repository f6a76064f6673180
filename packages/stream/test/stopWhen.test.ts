import { InvalidParamsError } from "@logitstream/core";
import { filter, from, map, Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { StreamUsageError } from "../src/errors.js";
import { isFinishEvent } from "../src/isFinishEvent.js";
import { decodeText } from "../src/operators/decodeText.js";
import { stopWhen as stopWhenWithFinish } from "../src/operators/stopWhen.js";
import type { FinishEvent, StopInfo } from "../src/types.js";
import { tableTokenizer, testScheduler } from "./helpers.js";

// These tests look at the token events; the finish event stopWhen ends with has its own tests below.
function stopWhen<T extends { token: number; step?: number; text?: string }>(
  o: Parameters<typeof stopWhenWithFinish>[0],
) {
  const op = stopWhenWithFinish<T>(o); // built here: bad options throw at once, as the operator does
  return (src: Observable<T>) =>
    src.pipe(
      op,
      filter((e): e is T => !isFinishEvent(e)),
    );
}

const t = (step: number, token: number, text?: string) =>
  text === undefined ? { step, token } : { step, token, text };

async function collect<T>(o: Observable<T>): Promise<T[]> {
  const out: T[] = [];
  await new Promise<void>((resolve, reject) =>
    o.subscribe({ next: (v) => out.push(v), error: reject, complete: resolve }),
  );
  return out;
}

describe("stopWhen", () => {
  it("completes at the EOS token without emitting it, and unsubscribes from its input there", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-e-c|", { a: t(0, 5), b: t(1, 6), e: t(2, 2), c: t(3, 7) });
      expectObservable(src.pipe(stopWhen({ eos: 2 }))).toBe("a-b-|", { a: t(0, 5), b: t(1, 6) });
      expectSubscriptions(src.subscriptions).toBe("^---!");
    });
  });

  it("accepts several EOS ids", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c|", { a: t(0, 5), b: t(1, 9), c: t(2, 2) });
      expectObservable(src.pipe(stopWhen({ eos: [2, 9] }))).toBe("a-|", { a: t(0, 5) });
    });
  });

  it("emits the maxTokens-th token and completes in the same frame", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-c-d|", { a: t(0, 1), b: t(1, 2), c: t(2, 3), d: t(3, 4) });
      expectObservable(src.pipe(stopWhen({ maxTokens: 3 }))).toBe("a-b-(c|)", {
        a: t(0, 1),
        b: t(1, 2),
        c: t(2, 3),
      });
      expectSubscriptions(src.subscriptions).toBe("^---!");
    });
  });

  it("completes at once without subscribing when maxTokens is 0", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a|", { a: t(0, 1) });
      expectObservable(src.pipe(stopWhen({ maxTokens: 0 }))).toBe("|");
      expectSubscriptions(src.subscriptions).toBe([]);
    });
  });

  it("passes everything through and completes with its input when no rule fires", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b|", { a: t(0, 1, "x"), b: t(1, 2, "y") });
      expectObservable(src.pipe(stopWhen({ eos: 0, maxTokens: 5, stopSequences: ["zz"] }))).toBe("a-b|", {
        a: t(0, 1, "x"),
        b: t(1, 2, "y"),
      });
    });
  });

  it("forwards an upstream error", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-#", { a: t(0, 1) }, new Error("boom"));
      expectObservable(src.pipe(stopWhen({ maxTokens: 5 }))).toBe("a-#", { a: t(0, 1) }, new Error("boom"));
    });
  });

  it("holds a token whose text may start a stop sequence and cuts the text at the match, across tokens", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-c-d|", {
        a: t(0, 1, "Hel"),
        b: t(1, 2, "lo\n"),
        c: t(2, 3, "\nBye"),
        d: t(3, 4, "!"),
      });
      expectObservable(src.pipe(stopWhen({ stopSequences: ["\n\n"] }))).toBe("a---(b|)", {
        a: t(0, 1, "Hel"),
        b: t(1, 2, "lo"),
      });
      expectSubscriptions(src.subscriptions).toBe("^---!");
    });
  });

  it("releases held tokens unchanged when the text stops matching", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c----|", { a: t(0, 1, "x<"), b: t(1, 2, "/"), c: t(2, 3, "p") });
      expectObservable(src.pipe(stopWhen({ stopSequences: ["</s>"] }))).toBe("----(abc)|", {
        a: t(0, 1, "x<"),
        b: t(1, 2, "/"),
        c: t(2, 3, "p"),
      });
    });
  });

  it("releases held tokens when the input completes", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b|", { a: t(0, 1, "ok"), b: t(1, 2, "<") });
      expectObservable(src.pipe(stopWhen({ stopSequences: ["</s>"] }))).toBe("a--(b|)", {
        a: t(0, 1, "ok"),
        b: t(1, 2, "<"),
      });
    });
  });

  it("releases held tokens at EOS, since the stop sequence can no longer complete", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-e|", { a: t(0, 1, "ok"), b: t(1, 2, "<"), e: t(2, 0, "") });
      expectObservable(src.pipe(stopWhen({ eos: 0, stopSequences: ["</s>"] }))).toBe("a---(b|)", {
        a: t(0, 1, "ok"),
        b: t(1, 2, "<"),
      });
    });
  });

  it("drops every token that lies entirely inside the matched stop sequence", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c-d|", { a: t(0, 1, "x"), b: t(1, 2, "<"), c: t(2, 3, "/s"), d: t(3, 4, ">") });
      expectObservable(src.pipe(stopWhen({ stopSequences: ["</s>"] }))).toBe("a-----|", { a: t(0, 1, "x") });
    });
  });

  it("stops at the earliest of several matching stop sequences", async () => {
    const stops: StopInfo[] = [];
    const out = await collect(
      from([t(0, 1, "ab"), t(1, 2, "cdef")]).pipe(
        stopWhen({ stopSequences: ["ef", "cd"], onStop: (i) => stops.push(i) }),
      ),
    );
    expect(out).toEqual([t(0, 1, "ab")]);
    expect(stops).toEqual([{ reason: "stop", step: 1, sequence: "cd" }]);
  });

  it("finds a stop sequence that lies inside one token and keeps the text before it", async () => {
    const out = await collect(from([t(0, 1, "one STOP two")]).pipe(stopWhen({ stopSequences: ["STOP"] })));
    expect(out).toEqual([t(0, 1, "one ")]);
  });

  it("prefers the stop sequence over the length limit when both fire on the same token", async () => {
    const stops: StopInfo[] = [];
    const out = await collect(
      from([t(0, 1, "a"), t(1, 2, "b#c")]).pipe(
        stopWhen({ maxTokens: 2, stopSequences: ["#"], onStop: (i) => stops.push(i) }),
      ),
    );
    expect(out).toEqual([t(0, 1, "a"), t(1, 2, "b")]);
    expect(stops).toEqual([{ reason: "stop", step: 1, sequence: "#" }]);
  });

  it("reports eos and length through onStop, and nothing when the input just ends", async () => {
    const stops: StopInfo[] = [];
    const onStop = (i: StopInfo) => stops.push(i);
    await collect(from([t(0, 1), t(1, 0)]).pipe(stopWhen({ eos: 0, onStop })));
    await collect(from([t(0, 1), t(1, 3), t(2, 4)]).pipe(stopWhen({ maxTokens: 2, onStop })));
    await collect(from([t(0, 1)]).pipe(stopWhen({ maxTokens: 2, onStop })));
    expect(stops).toEqual([
      { reason: "eos", step: 1 },
      { reason: "length", step: 1 },
    ]);
  });

  it("finds a stop sequence split across tokens of a byte-level tokenizer and never emits any of it", async () => {
    // "END" split as "E" | "N" | "D\n"; the text before it also ends inside a two-byte character.
    const tok = tableTokenizer(["so", [0xc3], [0xa9], " E", "N", "D\n", "more"]);
    const events = await collect(
      from([0, 1, 2, 3, 4, 5, 6]).pipe(
        map((token, step) => ({ step, token })),
        decodeText(tok),
        stopWhen({ stopSequences: ["END"] }),
      ),
    );
    const text = events.map((e) => e.text).join("");
    expect(text).toBe("soé ");
    expect(events.map((e) => e.token)).toEqual([0, 1, 2, 3]);
  });

  it("errors with StreamUsageError when stop sequences are given but events carry no text", async () => {
    await expect(collect(from([t(0, 1)]).pipe(stopWhen({ stopSequences: ["x"] })))).rejects.toBeInstanceOf(
      StreamUsageError,
    );
  });

  it("rejects an empty stop sequence and a negative or fractional maxTokens when it is built", () => {
    expect(() => stopWhen({ stopSequences: [""] })).toThrow(InvalidParamsError);
    expect(() => stopWhen({ maxTokens: -1 })).toThrow(InvalidParamsError);
    expect(() => stopWhen({ maxTokens: 1.5 })).toThrow(InvalidParamsError);
  });

  it("gives each subscription its own state", async () => {
    const op = stopWhen<{ step: number; token: number }>({ maxTokens: 2 });
    const src = from([t(0, 1), t(1, 2), t(2, 3)]);
    expect(await collect(src.pipe(op))).toEqual([t(0, 1), t(1, 2)]);
    expect(await collect(src.pipe(op))).toEqual([t(0, 1), t(1, 2)]);
  });

  it("stops an endless synchronous source, which sees the unsubscription at once", async () => {
    let emitted = 0;
    const endless = new Observable<{ step: number; token: number; text: string }>((s) => {
      while (!s.closed) {
        const step = emitted++;
        s.next({ step, token: step % 10, text: String(step % 10) });
      }
    });
    const out = await collect(endless.pipe(stopWhen({ maxTokens: 3 })));
    expect(out.length).toBe(3);
    expect(emitted).toBe(3);
    emitted = 0;
    const digits = tableTokenizer(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    const cut = await collect(endless.pipe(decodeText(digits), stopWhen({ stopSequences: ["5"] })));
    expect(cut.map((e) => e.text).join("")).toBe("01234");
    expect(emitted).toBe(6);
  });

  describe("the finish event", () => {
    const fin = (e: Partial<FinishEvent> & Pick<FinishEvent, "finishReason" | "steps">): FinishEvent => e;
    it("ends a stream it stops with a finish event saying why: the stop string, EOS or the length", () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const texts = { a: t(0, 1, "ab"), b: t(1, 2, "c\n"), c: t(2, 3, "\nd"), e: t(3, 0, "") };
        expectObservable(cold("a-b-c|", texts).pipe(stopWhenWithFinish({ stopSequences: ["\n\n"] }))).toBe(
          "a---(bf|)",
          { a: texts.a, b: t(1, 2, "c"), f: fin({ finishReason: "stop", steps: 2, stopSequence: "\n\n" }) },
        );
        expectObservable(cold("a-e-c|", texts).pipe(stopWhenWithFinish({ eos: 0 }))).toBe("a-(f|)", {
          a: texts.a,
          f: fin({ finishReason: "stop", steps: 1, eosToken: 0 }),
        });
        expectObservable(cold("a-b-c|", texts).pipe(stopWhenWithFinish({ maxTokens: 2 }))).toBe("a-(bf|)", {
          a: texts.a,
          b: texts.b,
          f: fin({ finishReason: "length", steps: 2 }),
        });
        expectObservable(cold("a|", texts).pipe(stopWhenWithFinish({ maxTokens: 0 }))).toBe("(f|)", {
          f: fin({ finishReason: "length", steps: 0 }),
        });
      });
    });

    it("passes an upstream finish event through after the text it held, and adds none when the input just ends", () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const up = fin({ finishReason: "length", steps: 2 });
        const src = cold("a-b-(f|)", { a: t(0, 1, "x"), b: t(1, 2, "<"), f: up });
        expectObservable(src.pipe(stopWhenWithFinish({ stopSequences: ["</s>"] }))).toBe("a---(bf|)", {
          a: t(0, 1, "x"),
          b: t(1, 2, "<"),
          f: up,
        });
        expectObservable(cold("a|", { a: t(0, 1, "x") }).pipe(stopWhenWithFinish({ maxTokens: 3 }))).toBe(
          "a|",
          {
            a: t(0, 1, "x"),
          },
        );
      });
    });
  });
});
