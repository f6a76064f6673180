import type { Candidates, LogitSource, SamplerStage } from "@logitstream/core";
import { filter, lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { StreamUsageError } from "../src/errors.js";
import { generate } from "../src/generate.js";
import { isFinishEvent } from "../src/isFinishEvent.js";
import type { GenerateEvent, TokenEvent } from "../src/types.js";

// Token events only: the finish event that ends every generation is tested in generate.test.ts.
const tokensOnly = filter((e: GenerateEvent): e is TokenEvent => !isFinishEvent(e));

const V = 8;
const EOS = 7;

/** A model that always prefers token 5 (never allowed by the toy grammar) and EOS second. */
const source: LogitSource = {
  vocabSize: V,
  eosId: EOS,
  next: () => Float32Array.from([0, 1, 2, 0, 0, 9, 0, 8]),
};

/**
 * A toy grammar stage: "(1|2){3}" — tokens 1 and 2 only, exactly three of them, then only EOS. It
 * counts the tokens it accepted, so a shared (not cloned) stage would be visible across runs.
 */
function toyGrammar(accepted: number[] = []): SamplerStage & { isComplete(): boolean; accepted: number[] } {
  return {
    name: "grammar",
    accepted,
    apply(c: Candidates) {
      const allowed = accepted.length < 3 ? [1, 2] : [EOS];
      let j = 0;
      for (let i = 0; i < c.size; i++) {
        if (allowed.includes(c.ids[i]!)) {
          c.ids[j] = c.ids[i]!;
          c.logits[j] = c.logits[i]!;
          j++;
        }
      }
      c.size = j;
      c.pristine = false;
      c.probsValid = false;
      c.max = Number.NaN;
    },
    accept(token: number) {
      accepted.push(token);
    },
    reset() {
      accepted.length = 0;
    },
    isComplete() {
      return accepted.length === 3;
    },
    clone() {
      return toyGrammar([...accepted]);
    },
  };
}

describe("generate with a grammar", () => {
  it("runs the grammar stage first on a copy per subscription and completes when the match is complete", async () => {
    const grammar = toyGrammar();
    const run = generate(source, [0], { seed: 3, topK: 1 }, { grammar });
    const first = await lastValueFrom(run.pipe(tokensOnly, toArray()));
    // top_k 1 after the grammar keeps the best allowed token (2, logit 2), never 5 or EOS.
    expect(first.map((e) => e.token)).toEqual([2, 2, 2]);
    const second = await lastValueFrom(run.pipe(tokensOnly, toArray()));
    expect(second.map((e) => e.token)).toEqual([2, 2, 2]);
    expect(grammar.accepted).toEqual([]);
  });

  it("reports the raw logprob of the chosen token (the mask does not change it)", async () => {
    const events = await lastValueFrom(
      generate(source, [0], { seed: 1, topK: 1 }, { grammar: toyGrammar() }).pipe(tokensOnly, toArray()),
    );
    const row = [0, 1, 2, 0, 0, 9, 0, 8];
    const lse = Math.log(row.reduce((s, u) => s + Math.exp(u), 0));
    expect(events[0]!.logprob).toBeCloseTo(2 - lse, 5);
  });

  it("refuses a grammar together with a custom sampler or penalizePrompt", () => {
    expect(() => generate(source, [0], {}, { grammar: toyGrammar(), penalizePrompt: true })).toThrow(
      StreamUsageError,
    );
    expect(() =>
      generate(
        source,
        [0],
        {},
        {
          grammar: toyGrammar(),
          createSampler: () => ({ sample: () => ({ token: 0, logprob: 0, rank: 1 }) }),
        },
      ),
    ).toThrow(/createSampler/);
  });
});
