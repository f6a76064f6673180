import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { generate } from "../src/generate.js";
import { openAILogprobs } from "../src/operators/openAILogprobs.js";
import { OPENAI_MIN_LOGPROB, toOpenAILogprob } from "../src/toOpenAILogprob.js";
import type { TokenEvent } from "../src/types.js";
import { tableTokenizer } from "./helpers.js";

// 0 = "h", 1 = F0 9F (the first half of 😀), 2 = 98 80 (its second half), 3 = " the".
const tok = tableTokenizer(["h", [0xf0, 0x9f], [0x98, 0x80], " the"]);

describe("toOpenAILogprob", () => {
  it("writes OpenAI's { token, bytes, logprob, top_logprobs } with text and bytes for each entry", () => {
    const got = toOpenAILogprob(
      {
        token: 3,
        logprob: -0.5,
        topLogprobs: [
          { token: 3, logprob: -0.5 },
          { token: 0, logprob: -1.25 },
        ],
      },
      tok,
    );
    expect(got).toEqual({
      token: " the",
      bytes: [32, 116, 104, 101],
      logprob: -0.5,
      top_logprobs: [
        { token: " the", bytes: [32, 116, 104, 101], logprob: -0.5 },
        { token: "h", bytes: [104], logprob: -1.25 },
      ],
    });
    // Exactly OpenAI's four fields, in its order.
    expect(Object.keys(got)).toEqual(["token", "bytes", "logprob", "top_logprobs"]);
  });

  it("keeps exact bytes for a token that ends inside a character; its text has U+FFFD", () => {
    // WHATWG UTF-8: F0 9F at the end is one maximal subpart → one U+FFFD; 98 and 80 alone are two.
    expect(toOpenAILogprob({ token: 1, logprob: -1 }, tok)).toEqual({
      token: "\uFFFD",
      bytes: [0xf0, 0x9f],
      logprob: -1,
      top_logprobs: [],
    });
    expect(toOpenAILogprob({ token: 2, logprob: -1 }, tok).token).toBe("\uFFFD\uFFFD");
    // The bytes of the two tokens together are the character.
    const both = [
      ...toOpenAILogprob({ token: 1, logprob: -1 }, tok).bytes,
      ...toOpenAILogprob({ token: 2, logprob: -1 }, tok).bytes,
    ];
    expect(new TextDecoder().decode(Uint8Array.from(both))).toBe("😀");
  });

  it("writes an impossible token's -Infinity as -9999, as OpenAI does (JSON has no -Infinity)", () => {
    const got = toOpenAILogprob(
      { token: 0, logprob: -1, topLogprobs: [{ token: 1, logprob: -Infinity }] },
      tok,
    );
    expect(got.top_logprobs[0]!.logprob).toBe(OPENAI_MIN_LOGPROB);
    expect(OPENAI_MIN_LOGPROB).toBe(-9999);
    expect(JSON.parse(JSON.stringify(got))).toEqual(got);
  });
});

describe("openAILogprobs", () => {
  it("maps generate's events one to one, keeping each logprob and the top list's order", async () => {
    // Row: token 3 ≫ 0 > 1 = 2, whatever the context; greedy picks 3 every step.
    const model = { vocabSize: 4, next: () => Float32Array.from([1, 0, 0, 5]) };
    // The token events (the finish event that ends the generation has no entry).
    const events = (
      await lastValueFrom(
        generate(model, [0], { temperature: 0 }, { maxTokens: 2, logprobs: 2 }).pipe(toArray()),
      )
    ).slice(0, -1) as TokenEvent[];
    const entries = await lastValueFrom(
      generate(model, [0], { temperature: 0 }, { maxTokens: 2, logprobs: 2 }).pipe(
        openAILogprobs(tok),
        toArray(),
      ),
    );
    // log_softmax([1, 0, 0, 5]) by hand: lse = log(e + 2 + e^5).
    const lse = Math.log(Math.E + 2 + Math.E ** 5);
    expect(entries).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect(entries[i]!.token).toBe(" the");
      expect(entries[i]!.logprob).toBe(events[i]!.logprob);
      expect(entries[i]!.logprob).toBeCloseTo(5 - lse, 6);
      expect(entries[i]!.top_logprobs.map((t) => t.token)).toEqual([" the", "h"]);
      expect(entries[i]!.top_logprobs[1]!.logprob).toBeCloseTo(1 - lse, 6);
    }
  });
});
