import {
  createCandidates,
  createSampler,
  createSamplingContext,
  EmptyCandidatesError,
  loadCandidates,
} from "@logitstream/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEAD } from "../src/ByteAutomaton.js";
import type { CompiledGrammar } from "../src/CompiledGrammar.js";
import type { GrammarSource } from "../src/compileGrammar.js";
import { compileGrammar } from "../src/compileGrammar.js";
import { TokenRejectedError } from "../src/errors.js";
import { grammarStage } from "../src/grammarStage.js";
import { bruteForceMask, canFinish, maskSet, testTokenizer } from "./helpers.js";

// Multi-byte tokens that span grammar symbols ('{"', '":', '"},'), UTF-8 characters split across
// tokens ("é" whole, "€" as a 2-byte partial token + its last byte), and words.
const tok = testTokenizer([
  '{"',
  '":',
  '"},',
  '"}',
  "name",
  "age",
  "12",
  "true",
  "fals",
  "é",
  "€",
  "🎉",
  "AB-",
  "-1",
  ".5",
  "\\n",
  "aaa",
  ",",
  "null",
  '":"',
]);

const SOURCES: [string, GrammarSource][] = [
  [
    "nested schema",
    {
      jsonSchema: {
        type: "object",
        properties: {
          name: { type: "string", maxLength: 6 },
          age: { type: "integer", minimum: 0, maximum: 120 },
          tags: {
            type: "array",
            items: { type: "object", properties: { ok: { type: "boolean" } } },
            maxItems: 2,
          },
        },
        required: ["name"],
      },
    },
  ],
  ["regex", { regex: "(AB-[0-9]{3}|é+€?)\\.[0-9]" }],
  ["gbnf", { gbnf: 'root ::= "[" (item ("," item)*)? "]"\nitem ::= "null" | "-"? [0-9]+ | "[" "]"' }],
];

const allowedByBruteForce = (g: CompiledGrammar, state: number) => bruteForceMask(g, tok, state);

describe("grammarStage", () => {
  for (const [name, source] of SOURCES) {
    it(`${name}: a state's mask equals a brute-force check of every token, and no allowed token leads to a dead end`, () => {
      const g = compileGrammar(source, tok, { eosId: tok.eosId, precompute: 0 });
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (choices) => {
          let state = g.start;
          for (const c of choices) {
            const mask = maskSet(g.mask(state));
            expect(mask).toEqual(allowedByBruteForce(g, state));
            for (const id of mask) {
              if (id === tok.eosId) continue;
              const next = g.advance(state, id);
              expect(next).not.toBe(DEAD);
              expect(canFinish(g.automaton, next)).toBe(true);
            }
            const ids = [...mask].filter((id) => id !== tok.eosId);
            if (ids.length === 0) break;
            state = g.advance(state, ids[c % ids.length]!);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it("removes masked tokens from a freshly loaded row and from a sorted candidate set alike, keeping their order", () => {
    const g = compileGrammar(SOURCES[0]![1], tok, { eosId: tok.eosId });
    const V = tok.vocabSize;
    const row = new Float32Array(V).map((_, i) => Math.sin(i) * 3);
    const ctx = createSamplingContext(V);
    const a = createCandidates(V);
    loadCandidates(a, row, 0, V, Number.NaN);
    const stage = grammarStage(g);
    stage.apply(a, ctx);
    const expected = [...allowedByBruteForce(g, g.start)].sort((x, y) => x - y);
    expect(Array.from(a.ids.subarray(0, a.size))).toEqual(expected);
    expect(Array.from(a.logits.subarray(0, a.size))).toEqual(expected.map((id) => row[id]!));
    expect(a.pristine).toBe(false);
    // Sorted by logit descending: the same survivors, still sorted.
    const b = createCandidates(V);
    loadCandidates(b, row, 0, V, Number.NaN);
    const order = Array.from({ length: V }, (_, i) => i).sort((x, y) => row[y]! - row[x]! || x - y);
    order.forEach((id, i) => {
      b.ids[i] = id;
      b.logits[i] = row[id]!;
    });
    b.sorted = true;
    b.pristine = false;
    stage.apply(b, ctx);
    expect(Array.from(b.ids.subarray(0, b.size))).toEqual(order.filter((id) => expected.includes(id)));
    expect(b.max).toBe(b.logits[0]);
  });

  it("allows EOS only where the grammar can end, and nothing else once the match is complete", () => {
    const g = compileGrammar({ regex: "aaa|aaaaaa" }, tok, { eosId: tok.eosId });
    const stage = grammarStage(g);
    const aaa = tok.texts.findIndex((t) => new TextDecoder().decode(t) === "aaa");
    expect(maskSet(g.mask(g.start)).has(tok.eosId)).toBe(false);
    stage.accept!(aaa);
    expect(stage.canEnd()).toBe(true);
    expect(stage.isComplete()).toBe(false);
    stage.accept!(aaa);
    expect(stage.isComplete()).toBe(true);
    const V = tok.vocabSize;
    const c = createCandidates(V);
    loadCandidates(c, new Float32Array(V), 0, V, 0);
    stage.apply(c, createSamplingContext(V));
    expect(Array.from(c.ids.subarray(0, c.size))).toEqual([tok.eosId]);
  });

  it("throws a typed error for a token the grammar does not allow, and when no candidate is left", () => {
    const g = compileGrammar({ regex: "[0-9]+" }, tok, { eosId: tok.eosId });
    const stage = grammarStage(g);
    expect(() => stage.accept!(0x61)).toThrow(TokenRejectedError);
    expect(() => stage.accept!(tok.eosId)).toThrow(/cannot end here/);
    const c = createCandidates(2);
    c.ids.set([0x61, 0x62]);
    c.size = 2;
    expect(() => stage.apply(c, createSamplingContext(tok.vocabSize))).toThrow(EmptyCandidatesError);
  });

  it("clones and resets independently", () => {
    const g = compileGrammar({ regex: "12(12)*" }, tok, { eosId: tok.eosId });
    const twelve = tok.texts.findIndex((t) => t.length === 2 && t[0] === 0x31 && t[1] === 0x32);
    const s = grammarStage(g);
    s.accept!(twelve);
    const copy = s.clone();
    copy.accept!(twelve);
    expect(s.position).toBe(1);
    expect(copy.position).toBe(2);
    s.reset!();
    expect(s.position).toBe(0);
    expect(s.canEnd()).toBe(false);
    expect(copy.canEnd()).toBe(true);
  });

  it("saves its accepted tokens in the sampler's state and resumes from them", () => {
    const g = compileGrammar(SOURCES[0]![1], tok, { eosId: tok.eosId });
    const V = tok.vocabSize;
    const rows = Array.from({ length: 12 }, (_, r) =>
      new Float32Array(V).map((_, i) => Math.sin(i * 1.3 + r) * 4),
    );
    const make = (state?: ReturnType<ReturnType<typeof createSampler>["state"]>) =>
      createSampler(
        { seed: 11, temperature: 1 },
        {
          stages: [{ stage: grammarStage(g), before: "logit_bias" }],
          ...(state === undefined ? {} : { state }),
        },
      );
    const a = make();
    for (let i = 0; i < 5; i++) a.sample(rows[i]!);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = make(saved);
    for (let i = 5; i < 12; i++) {
      const x = a.sample(rows[i]!).token;
      expect(b.sample(rows[i]!).token).toBe(x);
      if (x === tok.eosId) break;
    }
    expect(() => grammarStage(g).loadState!({ tokens: [0x7a] })).toThrow(TokenRejectedError);
  });
});
