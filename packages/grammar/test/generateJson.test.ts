import { readFileSync } from "node:fs";
import { createSampler } from "@logitstream/core";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import Ajv from "ajv";
import { beforeEach, describe, expect, it } from "vitest";
import type { GrammarSource } from "../src/compileGrammar.js";
import { compileGrammar } from "../src/compileGrammar.js";
import { grammarStage } from "../src/grammarStage.js";
import { SCHEMAS } from "./fixtures/schemas.js";
import { isFixtureArithmetic, isFixtureJson, isFixtureList } from "./referenceParsers.js";

// The default run samples a few seeds per grammar; LOGITSTREAM_FULL_TESTS=1 runs the 200.
const FULL = process.env.LOGITSTREAM_FULL_TESTS === "1";
const SEEDS = FULL ? 200 : 1;
const MAX_TOKENS = 600;
// 200 seeds of the embedded model take minutes per grammar on a loaded machine.
const TIMEOUT = FULL ? 3_600_000 : 120_000;

const tokenizer = new BpeTokenizer();
const model = loadModel();
const EOS = tokenizer.endOfTextId;
// Special tokens other than EOS have literal text as bytes; they must never be generated as text.
const SPECIAL = [100258, 100259, 100260, 100264, 100265, 100266, 100276];
const ajv = new Ajv({ strict: false });
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Samples with the embedded model and the grammar stage first in the chain; returns the text and whether EOS ended it. */
function run(
  source: GrammarSource,
  seed: number,
  prompt: string,
  maxTokens = MAX_TOKENS,
): { text: string; ended: boolean } {
  const compiled = cache.get(source) ?? compileGrammar(source, tokenizer, { eosId: EOS, exclude: SPECIAL });
  cache.set(source, compiled);
  // The grammar stage first in the chain (the chain is immutable: stages go in when it is built).
  const sampler = createSampler(
    { seed, temperature: 1 },
    { stages: [{ before: "logit_bias", stage: grammarStage(compiled) }] },
  );
  const context = tokenizer.encode(prompt);
  const bytes: number[] = [];
  for (let step = 0; step < maxTokens; step++) {
    const { token } = sampler.sample(model.next(context));
    if (token === EOS) return { text: decoder.decode(Uint8Array.from(bytes)), ended: true };
    bytes.push(...tokenizer.tokenBytes(token));
    context.push(token);
  }
  return { text: new TextDecoder().decode(Uint8Array.from(bytes)), ended: false };
}
// One grammar's compiled form at a time: its lazily built masks grow with every seed, so keeping every
// grammar of the file (26 of them, 200 seeds each in the full run) ran a test worker out of memory.
const cache = new Map<GrammarSource, ReturnType<typeof compileGrammar>>();
beforeEach(() => cache.clear());

describe("generation with the embedded n-gram model", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(
      `${name}: every output parses, validates with ajv and ends by itself (${SEEDS} seeds)`,
      () => {
        const source = { jsonSchema: schema };
        const validate = ajv.compile(schema);
        for (let seed = 0; seed < SEEDS; seed++) {
          const { text, ended } = run(source, seed, "The answer is ");
          expect(ended, `seed ${seed}: ${text}`).toBe(true);
          const value = JSON.parse(text);
          expect(validate(value), `seed ${seed}: ${text} ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      },
      TIMEOUT,
    );
  }

  it(
    "regex outputs match the JavaScript RegExp",
    () => {
      for (const re of [
        "[A-Z][a-z]{2,8}( [a-z]{1,8}){0,4}\\.",
        "(yes|no|maybe), because [a-z ]{5,30}\\.",
        "\\d{3}-\\d{4}",
      ]) {
        const js = new RegExp(`^(?:${re})$`, "u");
        const source = { regex: re }; // one source per regex, so its compiled form is reused across seeds
        cache.clear();
        for (let seed = 0; seed < SEEDS; seed++) {
          const { text, ended } = run(source, seed, "She said");
          expect(ended, text).toBe(true);
          expect(js.test(text), `${re} seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
        }
      }
    },
    TIMEOUT,
  );

  it(
    "GBNF outputs (json, arithmetic, list fixtures) parse with the reference parsers",
    () => {
      const fixtures: [string, (t: string) => boolean][] = [
        ["json.gbnf", isFixtureJson],
        ["arithmetic.gbnf", isFixtureArithmetic],
        ["list.gbnf", isFixtureList],
      ];
      for (const [file, parse] of fixtures) {
        const gbnf = readFileSync(new URL(`fixtures/${file}`, import.meta.url), "utf8");
        const source = { gbnf };
        cache.clear();
        for (let seed = 0; seed < (FULL ? SEEDS : 1); seed++) {
          // A recursive grammar keeps reaching new states, each with its cached mask: start afresh now and then.
          if (seed % 20 === 0) cache.clear();
          const { text, ended } = run(source, seed, "The list:", 200);
          // Recursive grammars may run to the token limit; a finished output must parse.
          if (ended) expect(parse(text), `${file} seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
        }
      }
    },
    TIMEOUT,
  );
});
