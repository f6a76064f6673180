import { GrammarSyntaxError } from "./errors.js";
import type { GrammarDefinition, GrammarExpr } from "./grammarExpr.js";
import {
  alt,
  chars,
  EMPTY,
  MAX_CODE_POINT,
  negateRanges,
  normalizeRanges,
  ref,
  repeat,
  seq,
} from "./grammarExpr.js";

/**
 * Parses a GBNF grammar (llama.cpp's grammar format) into a grammar definition.
 *
 * The format: rules `name ::= alternatives`; rule names are words of letters, digits, `-` and `_`;
 * terminals are double-quoted literals and character classes `[…]`/`[^…]` over code points, with
 * escapes `\n \r \t \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH`; `.` is any character; `( … )` groups;
 * `|` separates alternatives; postfix `* + ? {m} {m,} {m,n}` repeat; `#` starts a comment. A newline
 * ends a rule except inside parentheses or right after `|`. The root is the rule named `root`.
 * Token references (`<[id]>`) are not supported.
 *
 * References: llama.cpp `grammars/README.md` and `src/llama-grammar.cpp` (`parse_sequence`,
 * `parse_alternates`, `parse_space`).
 *
 * @param source - The grammar text.
 * @param root - Name of the start rule (default `"root"`).
 * @returns The definition; {@link GrammarSyntaxError} with the offset of the first problem otherwise.
 * @example
 * ```ts
 * parseGbnf('root ::= "yes" | "no"').root; // "root"
 * ```
 */
export function parseGbnf(source: string, root = "root"): GrammarDefinition {
  const cps = Array.from(source);
  let i = 0;
  const rules = new Map<string, GrammarExpr>();
  const uses: [string, number][] = [];
  const fail = (problem: string, at = i): never => {
    throw new GrammarSyntaxError("gbnf", at, problem);
  };
  const isWord = (c: string | undefined): boolean => c !== undefined && /[a-zA-Z0-9_-]/.test(c);

  const skipSpace = (newlineOk: boolean): void => {
    while (i < cps.length) {
      const c = cps[i]!;
      if (c === "#") {
        while (i < cps.length && cps[i] !== "\n" && cps[i] !== "\r") i++;
      } else if (c === " " || c === "\t" || (newlineOk && (c === "\n" || c === "\r"))) {
        i++;
      } else {
        return;
      }
    }
  };
  const parseName = (): string => {
    const start = i;
    while (isWord(cps[i])) i++;
    if (i === start) fail("expected a rule name");
    return cps.slice(start, i).join("");
  };
  const parseChar = (): number => {
    const at = i;
    const c = cps[i];
    if (c === undefined) return fail("unexpected end of input");
    if (c !== "\\") {
      i++;
      return c.codePointAt(0)!;
    }
    const e = cps[i + 1];
    i += 2;
    const hex = (n: number): number => {
      const h = cps.slice(i, i + n).join("");
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) fail(`\\${e} needs ${n} hex digits`, at);
      i += n;
      const v = Number.parseInt(h, 16);
      if (v > MAX_CODE_POINT) fail("code point above U+10FFFF", at);
      return v;
    };
    switch (e) {
      case "x":
        return hex(2);
      case "u":
        return hex(4);
      case "U":
        return hex(8);
      case "t":
        return 9;
      case "r":
        return 13;
      case "n":
        return 10;
      case "\\":
      case '"':
      case "[":
      case "]":
        return e.codePointAt(0)!;
      default:
        return fail(`unknown escape \\${e ?? ""}`, at);
    }
  };

  const parseSequence = (nested: boolean): GrammarExpr => {
    const items: GrammarExpr[] = [];
    for (;;) {
      const at = i;
      const c = cps[i];
      let item: GrammarExpr;
      if (c === '"') {
        i++;
        const lit: GrammarExpr[] = [];
        while (cps[i] !== '"') {
          if (i >= cps.length) fail("unterminated string literal", at);
          const cp = parseChar();
          lit.push(chars([cp, cp]));
        }
        i++;
        item = lit.length === 0 ? EMPTY : seq(...lit);
      } else if (c === "[") {
        i++;
        let negated = false;
        if (cps[i] === "^") {
          negated = true;
          i++;
        }
        const ranges: number[] = [];
        while (cps[i] !== "]") {
          if (i >= cps.length) fail("unterminated character class", at);
          const lo = parseChar();
          let hi = lo;
          if (cps[i] === "-" && cps[i + 1] !== "]" && cps[i + 1] !== undefined) {
            i++;
            hi = parseChar();
            if (hi < lo) fail("character range out of order", at);
          }
          ranges.push(lo, hi);
        }
        i++;
        const set = normalizeRanges(ranges);
        item = chars(negated ? negateRanges(set, MAX_CODE_POINT) : set);
      } else if (c === ".") {
        i++;
        item = chars([0, MAX_CODE_POINT]);
      } else if (c === "(") {
        i++;
        skipSpace(true);
        item = parseAlternates(true);
        if (cps[i] !== ")") fail("missing ')'", at);
        i++;
      } else if (c === "<") {
        return fail("token references (<[id]> or <name>) are not supported");
      } else if (isWord(c)) {
        const name = parseName();
        uses.push([name, at]);
        item = ref(name);
      } else {
        break;
      }
      skipSpace(nested);
      // Postfix repetition operators.
      for (;;) {
        const q = cps[i];
        if (q === "*") item = repeat(item, 0, Number.POSITIVE_INFINITY);
        else if (q === "+") item = repeat(item, 1, Number.POSITIVE_INFINITY);
        else if (q === "?") item = repeat(item, 0, 1);
        else if (q === "{") {
          const m = /^\{\s*(\d+)\s*(,\s*(\d*)\s*)?\}/.exec(cps.slice(i, i + 40).join(""));
          if (m === null) fail("bad repetition: expected {m}, {m,} or {m,n}");
          const min = Number(m![1]);
          const max = m![2] === undefined ? min : m![3] === "" ? Number.POSITIVE_INFINITY : Number(m![3]);
          if (max < min) fail(`repetition {${min},${max}}: the maximum is below the minimum`);
          item = repeat(item, min, max);
          i += m![0].length - 1;
        } else break;
        i++;
        skipSpace(nested);
      }
      items.push(item);
    }
    return items.length === 0 ? EMPTY : seq(...items);
  };

  const parseAlternates = (nested: boolean): GrammarExpr => {
    const alts = [parseSequence(nested)];
    while (cps[i] === "|") {
      i++;
      skipSpace(true);
      alts.push(parseSequence(nested));
    }
    return alt(...alts);
  };

  skipSpace(true);
  while (i < cps.length) {
    const at = i;
    const name = parseName();
    skipSpace(false);
    if (cps.slice(i, i + 3).join("") !== "::=") fail(`expected "::=" after rule name "${name}"`);
    i += 3;
    skipSpace(true);
    const body = parseAlternates(false);
    if (rules.has(name)) fail(`rule "${name}" is defined twice`, at);
    rules.set(name, body);
    if (i < cps.length && cps[i] !== "\n" && cps[i] !== "\r") fail(`unexpected character '${cps[i]}'`);
    skipSpace(true);
  }
  for (const [name, at] of uses) {
    if (!rules.has(name)) fail(`rule "${name}" is used but never defined`, at);
  }
  if (!rules.has(root)) fail(`no "${root}" rule: the grammar needs a start rule named ${root}`, 0);
  return { rules, root };
}
