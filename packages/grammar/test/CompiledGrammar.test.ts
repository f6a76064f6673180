import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEAD } from "../src/ByteAutomaton.js";
import type { GrammarSource } from "../src/compileGrammar.js";
import { compileGrammar } from "../src/compileGrammar.js";
import { bruteForceMask, maskSet, testTokenizer } from "./helpers.js";

// 256 single bytes, 14 words, the partial "€" and EOS: 272 tokens, so a mask is ⌈272 / 32⌉ = 9
// words = 36 bytes (worked out here, not read from the code under test).
const tok = testTokenizer([
  '{"',
  '":',
  '"}',
  "ab",
  "cd",
  "abc",
  "12",
  "true",
  "null",
  "é",
  "€",
  ",",
  "[",
  "]",
]);
const MASK_BYTES = 36;

const enc = new TextEncoder();

describe("CompiledGrammar mask cache", () => {
  it("has the mask size this file assumes", () => {
    expect(tok.vocabSize).toBe(272);
    const g = compileGrammar({ regex: "a" }, tok, { eosId: tok.eosId });
    expect(g.mask(g.start).byteLength).toBe(MASK_BYTES);
    expect(g.cachedBytes).toBe(MASK_BYTES);
  });

  // The regex "abcdefg" has one state per prefix: A = "", B = "a", C = "ab", … (distinct states).
  // `X` uses the mask of state X (mask()); `?X` only asks hasMask (not a use). Expected sets by hand,
  // least recently used evicted first, never more than ⌊bound / 36⌋ masks.
  const CASES: { bound: number; ops: string; cached: string; why: string }[] = [
    { bound: 90, ops: "A B C", cached: "B C", why: "2.5 masks fit 2: A, the oldest, goes for C" },
    { bound: 90, ops: "A B A C", cached: "A C", why: "A was used after B: B is the least recent" },
    { bound: 90, ops: "A B B B C", cached: "B C", why: "repeated use of the newest changes nothing" },
    { bound: 90, ops: "A B ?A C", cached: "B C", why: "hasMask is not a use" },
    { bound: 108, ops: "A B C A D B E", cached: "B D E", why: "ABC → BCA → CAD → ADB → DBE" },
    { bound: 108, ops: "A B C D E F", cached: "D E F", why: "a scan keeps the last three" },
    { bound: 108, ops: "A B C C B A D", cached: "B A D", why: "C is least recent after C B A" },
    { bound: 36, ops: "A B A", cached: "A", why: "exactly one mask fits" },
    { bound: 35, ops: "A B A", cached: "", why: "below one mask: nothing is cached" },
    { bound: 0, ops: "A B", cached: "", why: "a zero bound caches nothing" },
    { bound: 1000, ops: "A B C D E F", cached: "A B C D E F", why: "all fit: nothing evicted" },
  ];
  for (const { bound, ops, cached, why } of CASES) {
    it(`bound ${bound} B, ${ops} → {${cached}} (${why})`, () => {
      const g = compileGrammar({ regex: "abcdefg" }, tok, { eosId: tok.eosId, maxCacheBytes: bound });
      const a = g.automaton;
      const states = "ABCDEFG".split("").map((_, i) => a.walk(a.start, enc.encode("abcdefg".slice(0, i))));
      expect(new Set(states).size).toBe(7);
      const stateOf = (letter: string) => states["ABCDEFG".indexOf(letter)]!;
      for (const op of ops.split(" ")) {
        if (op.startsWith("?")) g.hasMask(stateOf(op[1]!));
        else expect(maskSet(g.mask(stateOf(op)))).toEqual(bruteForceMask(g, tok, stateOf(op)));
      }
      const expected = cached === "" ? [] : cached.split(" ");
      for (const letter of "ABCDEFG") expect(g.hasMask(stateOf(letter))).toBe(expected.includes(letter));
      expect(g.cachedBytes).toBe(expected.length * MASK_BYTES);
      expect(g.cachedBytes).toBeLessThanOrEqual(bound);
    });
  }

  it("precompute past the bound keeps the masks it built last (breadth first: A … H for abcdefg)", () => {
    const g = compileGrammar({ regex: "abcdefg" }, tok, { eosId: tok.eosId, maxCacheBytes: 108 });
    expect(g.precompute(100)).toBe(8);
    const a = g.automaton;
    const prefixes = ["", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg"];
    const cached = prefixes.map((p) => g.hasMask(a.walk(a.start, enc.encode(p))));
    expect(cached).toEqual([false, false, false, false, false, true, true, true]);
    expect(g.cachedBytes).toBe(108);
  });

  it("advance still rejects and accepts exactly when nothing is cached", () => {
    const g = compileGrammar({ regex: "ab(cd)+" }, tok, { eosId: tok.eosId, maxCacheBytes: 0 });
    const ab = tok.texts.findIndex((t) => new TextDecoder().decode(t) === "ab");
    const cd = tok.texts.findIndex((t) => new TextDecoder().decode(t) === "cd");
    expect(g.advance(g.start, cd)).toBe(DEAD);
    const s = g.advance(g.start, ab);
    expect(maskSet(g.mask(s))).toEqual(bruteForceMask(g, tok, s));
    expect(g.hasMask(s)).toBe(false);
    expect(g.advance(s, tok.eosId)).toBe(DEAD);
    expect(g.advance(g.advance(s, cd), tok.eosId)).not.toBe(DEAD);
    expect(g.cachedBytes).toBe(0);
  });

  it("keeps every token's bytes (none for EOS, excluded ids and ids out of range), and advance walks them", () => {
    const ab = tok.texts.findIndex((t) => new TextDecoder().decode(t) === "ab");
    const cd = tok.texts.findIndex((t) => new TextDecoder().decode(t) === "cd");
    const g = compileGrammar({ regex: "(ab|cd)+" }, tok, { eosId: tok.eosId, exclude: [cd] });
    for (let id = 0; id < tok.vocabSize; id++) {
      if (id === tok.eosId || id === cd) expect(g.tokenBytes(id)).toBeUndefined();
      else expect(g.tokenBytes(id)).toEqual(tok.texts[id]);
    }
    expect(g.tokenBytes(-1)).toBeUndefined();
    expect(g.tokenBytes(tok.vocabSize)).toBeUndefined();
    expect(g.advance(g.start, cd)).toBe(DEAD); // excluded, although "cd" would match
    const s = g.advance(g.start, ab);
    expect(s).toBe(g.automaton.walk(g.start, enc.encode("ab")));
    expect(g.advance(s, 0x63)).toBe(g.automaton.walk(g.start, enc.encode("abc")));
  });

  it("property: any vocabulary (tokens with equal bytes, V a multiple of 32 or not) gets masks of ⌈V / 32⌉ words equal to the brute force, with no bit at or past V", () => {
    const word = fc.stringMatching(/^[abc"1,]{1,4}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(5, 29, 30, 31, 62),
        fc.array(fc.nat(), { maxLength: 8 }),
        (pool, count, choices) => {
          // V = 258 + count: 288 and 320 are multiples of 32; a pool shorter than count repeats words.
          const t = testTokenizer(Array.from({ length: count }, (_, i) => pool[i % pool.length]!));
          const g = compileGrammar({ regex: '(ab|c"|1,)*a?"?' }, t, { eosId: t.eosId });
          const V = t.vocabSize;
          let state = g.start;
          for (const c of choices) {
            const bits = g.mask(state);
            expect(bits.length).toBe(Math.ceil(V / 32));
            expect(maskSet(bits)).toEqual(bruteForceMask(g, t, state));
            const ids = [...maskSet(bits)].filter((id) => id !== t.eosId);
            if (ids.length === 0) break;
            state = g.advance(state, ids[c % ids.length]!);
          }
          // Padding bits past V stay clear: the walk's spare bit lives in a word the mask does not have.
          for (const id of maskSet(g.mask(g.start))) expect(id).toBeLessThan(V);
        },
      ),
      { numRuns: 150 },
    );
    expect(testTokenizer(Array.from({ length: 30 }, () => "ab")).vocabSize).toBe(288);
  });

  const SOURCES: GrammarSource[] = [
    {
      jsonSchema: {
        type: "object",
        properties: { a: { type: "string", maxLength: 4 }, b: { type: "boolean" } },
      },
    },
    { regex: "(ab|cd|é)+[0-9]{2,4}" },
    { gbnf: 'root ::= "[" (item ("," item)*)? "]"\nitem ::= "null" | "true" | [0-9]+ | root' },
  ];

  it("property: cached bytes never exceed the bound, masks equal the brute force (even after eviction), hasMask agrees with a reference LRU", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SOURCES),
        fc.integer({ min: 0, max: 8 * MASK_BYTES + 20 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 40 }),
        (source, bound, steps) => {
          const g = compileGrammar(source, tok, { eosId: tok.eosId, maxCacheBytes: bound });
          // Reference: the least recently used order as a plain array, capacity ⌊bound / mask⌋.
          const capacity = Math.floor(bound / MASK_BYTES);
          const order: number[] = [];
          const visited: number[] = [g.start];
          const returned: [number, Uint32Array][] = [];
          let state = g.start;
          for (const [choice, jumpBack] of steps) {
            // Either revisit an earlier state (cache hits) or continue with an allowed token.
            if (jumpBack) state = visited[choice % visited.length]!;
            const bits = g.mask(state);
            expect(maskSet(bits)).toEqual(bruteForceMask(g, tok, state));
            returned.push([state, bits]);
            const i = order.indexOf(state);
            if (i >= 0) order.splice(i, 1);
            order.push(state);
            if (order.length > capacity) order.shift();
            expect(g.cachedBytes).toBeLessThanOrEqual(bound);
            expect(g.cachedBytes).toBe(order.length * MASK_BYTES);
            for (const s of visited) expect(g.hasMask(s)).toBe(order.includes(s));
            if (!jumpBack) {
              const ids = [...maskSet(bits)].filter((id) => id !== tok.eosId);
              if (ids.length === 0) continue;
              state = g.advance(state, ids[choice % ids.length]!);
              if (!visited.includes(state)) visited.push(state);
            }
          }
          // A mask handed out earlier is never recycled by eviction.
          for (const [s, bits] of returned) expect(maskSet(bits)).toEqual(bruteForceMask(g, tok, s));
        },
      ),
      { numRuns: 80 },
    );
  });
});
