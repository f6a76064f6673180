import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAutomaton } from "../src/compileGrammar.js";
import { GrammarSyntaxError, GrammarTooLargeError } from "../src/errors.js";
import { matches, mulberry32, sampleMatch } from "./helpers.js";

// Each regex with an alphabet that exercises it (random strings over it must agree with RegExp).
const CASES: [string, string][] = [
  ["[0-9]{3}-[0-9]{4}", "0123456789-a"],
  ["(ab|a)*b?", "ab"],
  ["a+?b*c{2,3}", "abc"],
  ["(?:x|yz){0,3}", "xyz"],
  ["[^a-c]d", "abcdé"],
  ["\\d+(\\.\\d{1,2})?", "0123.x"],
  ["[A-Z][a-z]*( [A-Z][a-z]*)*", "Abz Q"],
  ["(é|€|🎉)+\\.", "é€🎉.a"],
  [".{2}", "a\n€🎉"],
  ["\\w+@\\w+\\.(com|org)", "ab@.comrg"],
  ["\\s*\\S+", " \ta"],
  ["(a*)*b", "ab"],
  ["(?<year>19|20)\\d\\d", "129038"],
  ["[\\u0041-\\u0043\\x61]+", "ABCDa"],
  ["\\(\\)|\\[\\]|\\{\\}", "()[]{}"],
  ["^yes|no$", "yesno"],
];

describe("regular expressions", () => {
  for (const [source, alphabet] of CASES) {
    it(`/${source}/ accepts exactly what JavaScript's RegExp fully matches`, () => {
      const a = compileAutomaton({ regex: source });
      const anchored = source.startsWith("^")
        ? source.slice(1, source.endsWith("$") ? -1 : undefined)
        : source;
      const re = new RegExp(`^(?:${anchored.endsWith("$") ? anchored.slice(0, -1) : anchored})$`, "u");
      const chars = Array.from(alphabet);
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 10 }), (parts) => {
          const text = parts.join("");
          expect(matches(a, text)).toBe(re.test(text));
        }),
        { numRuns: 400 },
      );
      // And strings drawn from the automaton itself are matches for RegExp.
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const bytes = sampleMatch(a, mulberry32(seed));
          if (bytes !== undefined)
            expect(re.test(new TextDecoder("utf-8", { fatal: true }).decode(bytes))).toBe(true);
        }),
        { numRuns: 50 },
      );
    });
  }

  it("rejects what it cannot compile, naming the offset", () => {
    const bad: [string, RegExp, number][] = [
      ["(a", /missing '\)'/, 0],
      ["a)", /unmatched '\)'/, 1],
      ["[a-", /missing '\]'/, 0],
      ["(a)\\1", /backreferences/, 3],
      ["a(?=b)", /lookahead/, 1],
      ["\\bword", /word boundaries/, 0],
      ["*a", /nothing to repeat/, 0],
      ["a{3,1}", /below the minimum/, 1],
      ["a^b", /anchor/, 1],
      ["[z-a]", /out of order/, 4],
    ];
    for (const [source, message, offset] of bad) {
      let err: unknown;
      try {
        compileAutomaton({ regex: source });
      } catch (e) {
        err = e;
      }
      expect(err, source).toBeInstanceOf(GrammarSyntaxError);
      expect((err as GrammarSyntaxError).message, source).toMatch(message);
      expect((err as GrammarSyntaxError).offset, source).toBe(offset);
      expect((err as GrammarSyntaxError).code).toBe("E_GRAMMAR_SYNTAX");
    }
  });

  it("stops a pathological repetition with a size error instead of building it", () => {
    expect(() => compileAutomaton({ regex: "a{1000000000}" })).toThrow(GrammarTooLargeError);
    expect(() =>
      compileAutomaton({ regex: "((a{1000}){1000}){1000}" }, { maxElements: 10_000 }),
    ).not.toThrow();
    expect(() => compileAutomaton({ regex: "(x{0,500}){0,500}" }, { maxElements: 10_000 })).not.toThrow();
    expect(() => compileAutomaton({ regex: ".{0,300000}" })).toThrow(/maxElements/);
  });

  it("bounds the states of a regex whose DFA is exponential", () => {
    const a = compileAutomaton({ regex: "(a|b)*a(a|b){40}" }, { maxStates: 1000 });
    const rand = mulberry32(7);
    expect(() => {
      let s = a.start;
      for (let i = 0; i < 5000; i++) s = a.next(s, rand() < 0.5 ? 0x61 : 0x62);
    }).toThrow(GrammarTooLargeError);
  });

  it("runs the classic catastrophic-backtracking patterns in linear time per byte", () => {
    const a = compileAutomaton({ regex: "(x+x+)+y" });
    expect(matches(a, `${"x".repeat(5000)}y`)).toBe(true);
    expect(matches(a, "x".repeat(5000))).toBe(false);
    const b = compileAutomaton({ regex: "(a?){30}a{30}" });
    expect(matches(b, "a".repeat(30))).toBe(true);
    expect(matches(b, "a".repeat(61))).toBe(false);
  });
});
