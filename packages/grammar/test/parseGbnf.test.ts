import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAutomaton } from "../src/compileGrammar.js";
import { GrammarSyntaxError } from "../src/errors.js";
import { isPrefix, matches } from "./helpers.js";
import { isFixtureArithmetic, isFixtureJson, isFixtureList } from "./referenceParsers.js";

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");

describe("GBNF", () => {
  it("parses the json fixture and accepts exactly the texts its reference parser accepts", () => {
    const a = compileAutomaton({ gbnf: fixture("json.gbnf") });
    const table: [string, boolean][] = [
      ['{"a":1}', true],
      ['{ "a": [1, 2.5, -3e7], "b": {"c": null} }', true],
      ['{"é€🎉":"\\u00e9\\n"}\n', true],
      ["{}", true],
      ['{"a":01}', false],
      ['{"a":1,}', false],
      ["[1]", false],
      ['{"a":"\u0001"}', false],
      ['{"a"  :1}', false],
      ['{"a":tru}', false],
    ];
    for (const [text, ok] of table) {
      expect(matches(a, text), text).toBe(ok);
      expect(isFixtureJson(text), text).toBe(ok);
    }
    // Differential: JSON texts (compact, or with one blank after separators) and random edits of them.
    const texts = fc
      .tuple(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
        fc.boolean(),
      )
      .map(([o, spaced]) => {
        const t = JSON.stringify(o);
        return spaced ? t.replace(/([,:])/g, "$1 ") : t;
      });
    const edited = fc
      .tuple(texts, fc.nat(), fc.constantFrom("", "{", "}", ",", '"', "0", " ", "\\", "-", "e"))
      .map(([t, at, ins]) => {
        const k = at % (t.length + 1);
        return t.slice(0, k) + ins + t.slice(k + (ins === "" ? 1 : 0));
      });
    fc.assert(
      fc.property(fc.oneof(texts, edited), (text) => {
        expect(matches(a, text)).toBe(isFixtureJson(text));
      }),
      { numRuns: 1500 },
    );
  });

  it("parses the arithmetic and list fixtures", () => {
    const arith = compileAutomaton({ gbnf: fixture("arithmetic.gbnf") });
    for (const [text, ok] of [
      ["1+2=3\n", true],
      ["(x *2) /y1=z\n1=1\n", true],
      ["(x * 2)=z\n", false],
      ["a=b", false],
      ["=1\n", false],
      ["1 + (2=3\n", false],
    ] as const) {
      expect(matches(arith, text), text).toBe(ok);
      expect(isFixtureArithmetic(text), text).toBe(ok);
    }
    const list = compileAutomaton({ gbnf: fixture("list.gbnf") });
    for (const [text, ok] of [
      ["- milk\n- eggs 🥚\n", true],
      ["- \n", false],
      ["* milk\n", false],
      ["- milk", false],
    ] as const) {
      expect(matches(list, text), text).toBe(ok);
      expect(isFixtureList(text), text).toBe(ok);
    }
    expect(isPrefix(list, "- mi")).toBe(true);
  });

  it("supports the format's escapes, classes, groups, repetition forms and comments", () => {
    const a = compileAutomaton({
      gbnf: `# comment
root ::= greeting{1,2} tail? # trailing comment
greeting ::= ("h\\x69" | "\\u00e9" | [\\U0001F389]) " "
tail ::= [^a-z\\n]+ |
  "z"{3}`,
    });
    expect(matches(a, "hi ")).toBe(true);
    expect(matches(a, "hi é ")).toBe(true);
    expect(matches(a, "🎉 zzz")).toBe(true);
    expect(matches(a, "hi hi hi ")).toBe(false);
    expect(matches(a, "hi AB")).toBe(true);
    expect(matches(a, "hi ab")).toBe(false);
  });

  it("reports bad grammars with the offset of the problem", () => {
    const bad: [string, RegExp, number][] = [
      ["root ::= item\n", /"item" is used but never defined/, 9],
      ['rot ::= "a"', /no "root" rule/, 0],
      ['root ::= "a', /unterminated string/, 9],
      ["root ::= [a-", /unterminated character class|unexpected end/, 9],
      ['root ::= ("a"', /missing '\)'/, 9],
      ['root "a"', /expected "::="/, 5],
      ['root ::= "a" ]', /unexpected character/, 13],
      ['root ::= "\\q"', /unknown escape/, 10],
      ["root ::= <[12]>", /token references/, 9],
      ['root ::= "a"\nroot ::= "b"', /defined twice/, 13],
      ['root ::= "a"{3,1}', /below the minimum/, 12],
    ];
    for (const [src, message, offset] of bad) {
      let err: unknown;
      try {
        compileAutomaton({ gbnf: src });
      } catch (e) {
        err = e;
      }
      expect(err, src).toBeInstanceOf(GrammarSyntaxError);
      expect((err as Error).message, src).toMatch(message);
      expect((err as GrammarSyntaxError).offset, src).toBe(offset);
    }
  });

  it("rejects left recursion and rules that can never finish, and runs ε-loops", () => {
    expect(() => compileAutomaton({ gbnf: 'root ::= root "x" | "y"' })).toThrow(/left-recursive/);
    expect(() => compileAutomaton({ gbnf: 'root ::= a "x" | "y"\na ::= b? root\nb ::= "b"' })).toThrow(
      /left-recursive/,
    );
    expect(() => compileAutomaton({ gbnf: 'root ::= "x" root' })).toThrow(/can never finish/);
    const a = compileAutomaton({ gbnf: 'root ::= ("a"*)* "b"' });
    expect(matches(a, "aaab")).toBe(true);
  });
});
