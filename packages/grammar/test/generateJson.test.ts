import { readFileSync } from "node:fs";
import { createSampler } from "@logitstream/core";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { Ajv } from "ajv";
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
// The GBNF fixtures: a few seeds by default (with the biases below, most end within a few dozen tokens).
const GBNF_SEEDS = FULL ? SEEDS : 4;

/** The id of `text`, which must be one token. */
function single(text: string): number {
  const ids = tokenizer.encode(text);
  if (ids.length !== 1) throw new Error(`${JSON.stringify(text)} is ${ids.length} tokens, expected 1`);
  return ids[0]!;
}

/** Samples with the embedded model and the grammar stage first in the chain; returns the text and whether EOS ended it. */
function run(
  source: GrammarSource,
  seed: number,
  prompt: string,
  maxTokens = MAX_TOKENS,
  logitBias: Record<string, number> = {},
): { text: string; ended: boolean } {
  const compiled = cache.get(source) ?? compileGrammar(source, tokenizer, { eosId: EOS, exclude: SPECIAL });
  cache.set(source, compiled);
  // The grammar stage first in the chain (the chain is immutable: stages go in when it is built).
  const sampler = createSampler(
    { seed, temperature: 1, logitBias },
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
    "GBNF outputs (json, arithmetic, list fixtures) end by themselves and parse with the reference parsers",
    () => {
      // The embedded model almost never writes "\n", "=" or EOS (its corpus is running prose), so unbiased
      // runs of these grammars hit the token cap and nothing was checked. The biases make the tokens that
      // close an item likely; they are added after the grammar's mask, so they cannot make an illegal
      // token legal: every output is still the grammar's, and EOS still comes only where the grammar ends.
      const fixtures: [string, (t: string) => boolean, Record<string, number>][] = [
        ["json.gbnf", isFixtureJson, { [EOS]: 10, [single('"')]: 6, [single("}")]: 6 }],
        ["arithmetic.gbnf", isFixtureArithmetic, { [EOS]: 10, [single("\n")]: 14, [single("=")]: 14 }],
        ["list.gbnf", isFixtureList, { [EOS]: 10, [single("\n")]: 14 }],
      ];
      for (const [file, parse, bias] of fixtures) {
        const gbnf = readFileSync(new URL(`fixtures/${file}`, import.meta.url), "utf8");
        const source = { gbnf };
        cache.clear();
        let endedCount = 0;
        for (let seed = 0; seed < GBNF_SEEDS; seed++) {
          // A recursive grammar keeps reaching new states, each with its cached mask: start afresh now and then.
          if (seed % 20 === 0) cache.clear();
          const { text, ended } = run(source, seed, "The list:", 200, bias);
          // Recursive grammars may run to the token limit; a finished output must parse.
          if (!ended) continue;
          endedCount++;
          expect(parse(text), `${file} seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
        }
        // Without this, a grammar (or a stage) that never lets EOS through would pass with nothing checked.
        expect(
          endedCount,
          `${file}: outputs that ended by themselves in ${GBNF_SEEDS} seeds`,
        ).toBeGreaterThan(0);
      }
    },
    TIMEOUT,
  );
});
