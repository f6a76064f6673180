import fc from "fast-check";
import { from, map, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { InvalidUtf8Error } from "../src/errors.js";
import { decodeText } from "../src/operators/decodeText.js";
import { tableTokenizer, testScheduler } from "./helpers.js";

// 😀 is U+1F600 = F0 9F 98 80; 語 is U+8A9E = E8 AA 9E; é is U+00E9 = C3 A9.
const tok = tableTokenizer([
  "Hi ", // 0
  [0xf0, 0x9f], // 1: first half of 😀
  [0x98, 0x80], // 2: second half of 😀
  [0xe8], // 3: first byte of 語
  [0xaa], // 4: second byte of 語
  [0x9e, 0x21], // 5: last byte of 語, then "!"
  [0x61, 0xc3], // 6: "a" then the first byte of é
  [0xa9], // 7: the last byte of é
  [0xff], // 8: never valid in UTF-8
]);

const ev = (step: number, token: number) => ({ step, token });
const tx = (step: number, token: number, text: string) => ({ step, token, text });

async function collect<T>(o: Observable<T>): Promise<T[]> {
  const out: T[] = [];
  await new Promise<void>((resolve, reject) =>
    o.subscribe({ next: (v) => out.push(v), error: reject, complete: resolve }),
  );
  return out;
}

describe("decodeText", () => {
  it("emits a complete token at once, with its text, and completes with the input", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("-a-b|", { a: ev(0, 0), b: ev(1, 0) });
      expectObservable(src.pipe(decodeText(tok))).toBe("-a-b|", { a: tx(0, 0, "Hi "), b: tx(1, 0, "Hi ") });
    });
  });

  it("holds a token that ends inside an emoji until the token that completes it, then emits both in order", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("-a-b-c---|", { a: ev(0, 0), b: ev(1, 1), c: ev(2, 2) });
      expectObservable(src.pipe(decodeText(tok))).toBe("-a---(bc)|", {
        a: tx(0, 0, "Hi "),
        b: tx(1, 1, ""),
        c: tx(2, 2, "😀"),
      });
    });
  });

  it("holds every token of a CJK character split over three tokens and releases them together", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-(c|)", { a: ev(0, 3), b: ev(1, 4), c: ev(2, 5) });
      expectObservable(src.pipe(decodeText(tok))).toBe("----(abc|)", {
        a: tx(0, 3, ""),
        b: tx(1, 4, ""),
        c: tx(2, 5, "語!"),
      });
    });
  });

  it("holds a token whose complete text is followed by a partial character, keeping that text on it", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b---|", { a: ev(0, 6), b: ev(1, 7) });
      expectObservable(src.pipe(decodeText(tok))).toBe("--(ab)|", { a: tx(0, 6, "a"), b: tx(1, 7, "é") });
    });
  });

  it("releases held tokens with a final U+FFFD when the input ends inside a character", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b|", { a: ev(0, 0), b: ev(1, 1) });
      expectObservable(src.pipe(decodeText(tok))).toBe("a--(b|)", {
        a: tx(0, 0, "Hi "),
        b: tx(1, 1, "\uFFFD"),
      });
    });
  });

  it("errors with InvalidUtf8Error naming the step when fatal and the input ends inside a character", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b|", { a: ev(0, 0), b: ev(1, 1) });
      expectObservable(src.pipe(decodeText(tok, { fatal: true }))).toBe(
        "a--#",
        { a: tx(0, 0, "Hi ") },
        new InvalidUtf8Error(1, "the input ended inside a character"),
      );
    });
  });

  it("errors with InvalidUtf8Error when fatal and a token holds a byte that is never valid", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c|", { a: ev(0, 0), b: ev(1, 8), c: ev(2, 0) });
      expectObservable(src.pipe(decodeText(tok, { fatal: true }))).toBe(
        "a-#",
        { a: tx(0, 0, "Hi ") },
        new InvalidUtf8Error(1, "token 8 breaks a UTF-8 sequence"),
      );
    });
  });

  it("releases held tokens and then forwards an upstream error", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-#", { a: ev(0, 0), b: ev(1, 1) }, new Error("model failed"));
      expectObservable(src.pipe(decodeText(tok))).toBe(
        "a---(b#)",
        { a: tx(0, 0, "Hi "), b: tx(1, 1, "") },
        new Error("model failed"),
      );
    });
  });

  it("unsubscribes from its input when its subscriber unsubscribes", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-c-a|", { a: ev(0, 0), b: ev(1, 1), c: ev(2, 2) });
      expectObservable(src.pipe(decodeText(tok)), "^--!").toBe("a--", { a: tx(0, 0, "Hi ") });
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });

  it("never produces U+FFFD and gives the exact text for an emoji and a CJK character split across tokens", async () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7, 0];
    const events = await collect(
      from(ids).pipe(
        map((token, step) => ({ step, token })),
        decodeText(tok),
      ),
    );
    const text = events.map((e) => e.text).join("");
    expect(text).toBe("Hi 😀語!aéHi ");
    expect(text).not.toContain("\uFFFD");
    expect(events.map((e) => e.token)).toEqual(ids);
  });

  it("gives the same text as decoding all the bytes at once, for every way of cutting a UTF-8 string into tokens", async () => {
    const sample = "a😀語é\u{10348}z\uFEFF";
    const bytes = new TextEncoder().encode(sample);
    // Every single cut point and every pair of cut points: tokens of 1..n bytes, many ending mid-character.
    for (let i = 1; i < bytes.length; i++) {
      for (let j = i; j < bytes.length; j++) {
        const pieces = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)].filter(
          (p) => p.length > 0,
        );
        const t = tableTokenizer(pieces.map((p) => [...p]));
        const events = await collect(from(pieces.map((_, k) => ({ token: k }))).pipe(decodeText(t)));
        expect(events.map((e) => e.text).join("")).toBe(sample);
      }
    }
  });

  it("decodes each token's bytes exactly once", async () => {
    let calls = 0;
    const counting = {
      tokenBytes(id: number) {
        calls++;
        return tok.tokenBytes(id);
      },
    };
    await collect(from([0, 1, 2, 3, 4, 5].map((token) => ({ token }))).pipe(decodeText(counting)));
    expect(calls).toBe(6);
  });

  it("gives exactly TextDecoder's text, U+FFFD included, for arbitrary bytes cut into tokens at arbitrary points", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Bytes biased towards UTF-8 lead and continuation bytes, so sequences are often valid, often not.
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom(0xc3, 0xe8, 0xf0, 0x9f, 0x80, 0xbf, 0xed, 0xa0),
          ),
          {
            maxLength: 40,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }),
        async (bytes, cuts) => {
          const pieces: number[][] = [];
          let at = 0;
          for (let k = 0; at < bytes.length; k++) {
            const n = cuts[k % cuts.length]!;
            pieces.push(bytes.slice(at, at + n));
            at += n;
          }
          const t = tableTokenizer(pieces);
          const events = await collect(from(pieces.map((_, k) => ({ token: k }))).pipe(decodeText(t)));
          expect(events.map((e) => e.text).join("")).toBe(new TextDecoder().decode(Uint8Array.from(bytes)));
          expect(events.map((e) => e.token)).toEqual(pieces.map((_, k) => k));
        },
      ),
      { seed: 20261126, numRuns: 500 },
    );
  });

  it("errors in fatal mode exactly when TextDecoder's fatal mode rejects the bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xc3, 0xe8, 0xf0, 0x9f, 0x80, 0xa9)),
          {
            maxLength: 12,
          },
        ),
        async (bytes) => {
          const pieces = bytes.map((b) => [b]);
          let valid = true;
          try {
            new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
          } catch {
            valid = false;
          }
          const outcome = await collect(
            from(pieces.map((_, k) => ({ token: k }))).pipe(
              decodeText(tableTokenizer(pieces), { fatal: true }),
            ),
          ).then(
            () => true,
            (e: unknown) => (e instanceof InvalidUtf8Error ? false : Promise.reject(e)),
          );
          expect(outcome).toBe(valid);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
