import { GrammarSyntaxError } from "./errors.js";
import type { GrammarExpr } from "./grammarExpr.js";
import {
  alt,
  chars,
  EMPTY,
  intersectRanges,
  MAX_CODE_POINT,
  negateRanges,
  normalizeRanges,
  repeat,
  seq,
} from "./grammarExpr.js";

/** What {@link parseRegex} returns. */
interface ParsedRegex {
  readonly expr: GrammarExpr;
  /** The pattern began with `^`. */
  readonly anchoredStart: boolean;
  /** The pattern ended with `$`. */
  readonly anchoredEnd: boolean;
}

/** Options of {@link parseRegex}. */
interface ParseRegexOptions {
  /**
   * Every character the pattern matches is limited to this code-point set (normalized pairs); used to
   * keep a JSON Schema `pattern` inside what a JSON string may hold unescaped.
   */
  charset?: readonly number[];
}

const DIGIT = [0x30, 0x39];
const WORD = normalizeRanges([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
const SPACE = normalizeRanges([
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f,
  0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
]);
// `.` without the s flag: anything but line terminators (ECMAScript LineTerminator).
const DOT = negateRanges(normalizeRanges([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]), MAX_CODE_POINT);

/**
 * Parses a regular expression in JavaScript syntax (as `new RegExp(source, "u")` reads it) into a
 * grammar expression matching the same strings, for full-match use (the whole output must match).
 *
 * Supported: literals and escapes (`\n \t \r \f \v \0 \xHH \uHHHH \u{H…}`, escaped punctuation),
 * classes `[…]`/`[^…]` with ranges, `\d \D \w \W \s \S`, `.`, groups `(…)`, `(?:…)`, `(?<name>…)`,
 * alternation, quantifiers `* + ? {n} {n,} {n,m}` (lazy forms accepted: laziness does not change
 * the language), `^` at the very start and `$` at the very end. Backreferences, lookaround and word
 * boundaries are not regular (or not context-free) and are a {@link GrammarSyntaxError} naming the offset.
 *
 * @param source - The pattern, without slashes or flags.
 * @param options - Optional character-set restriction.
 * @returns The expression and its anchors.
 * @example
 * ```ts
 * parseRegex("[0-9]{3}-[0-9]{4}").anchoredStart; // false
 * ```
 */
export function parseRegex(source: string, options: ParseRegexOptions = {}): ParsedRegex {
  const cps = Array.from(source);
  // Offsets in errors are code-point offsets into the source.
  let i = 0;
  const charset = options.charset;
  const fail = (problem: string, at = i): never => {
    throw new GrammarSyntaxError("regex", at, problem);
  };
  const cls = (ranges: readonly number[]): GrammarExpr =>
    chars(charset === undefined ? ranges : intersectRanges(normalizeRanges(ranges), charset));
  const peek = (): string | undefined => cps[i];

  let anchoredStart = false;
  let anchoredEnd = false;
  if (cps[0] === "^") {
    anchoredStart = true;
    i = 1;
  }
  let endLimit = cps.length;
  if (cps.length > i && cps[cps.length - 1] === "$" && !escapedAt(cps, cps.length - 1)) {
    anchoredEnd = true;
    endLimit = cps.length - 1;
  }

  const parseAlternatives = (): GrammarExpr => {
    const items = [parseSequence()];
    while (i < endLimit && peek() === "|") {
      i++;
      items.push(parseSequence());
    }
    return alt(...items);
  };

  const parseSequence = (): GrammarExpr => {
    const items: GrammarExpr[] = [];
    while (i < endLimit) {
      const c = peek()!;
      if (c === "|" || c === ")") break;
      const atomStart = i;
      let atom = parseAtom();
      atom = parseQuantifiers(atom, atomStart);
      items.push(atom);
    }
    return items.length === 0 ? EMPTY : seq(...items);
  };

  const parseQuantifiers = (atom0: GrammarExpr, atomStart: number): GrammarExpr => {
    let atom = atom0;
    let quantified = false;
    for (;;) {
      const c = peek();
      let min: number;
      let max: number;
      if (c === "*") {
        min = 0;
        max = Number.POSITIVE_INFINITY;
        i++;
      } else if (c === "+") {
        min = 1;
        max = Number.POSITIVE_INFINITY;
        i++;
      } else if (c === "?") {
        min = 0;
        max = 1;
        i++;
      } else if (c === "{" && /^\{\d+(,\d*)?\}/.test(cps.slice(i, i + 24).join(""))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(cps.slice(i, i + 24).join(""))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
        if (max < min) fail(`repetition {${min},${max}}: the maximum is below the minimum`);
        i += m[0].length;
      } else {
        return atom;
      }
      if (quantified) fail("nothing to repeat: a quantifier follows a quantifier", atomStart);
      if (i < endLimit && peek() === "?") i++; // lazy: same language
      atom = repeat(atom, min, max);
      quantified = true;
    }
  };

  const parseAtom = (): GrammarExpr => {
    const c = cps[i]!;
    switch (c) {
      case "(": {
        const open = i;
        i++;
        if (peek() === "?") {
          const two = cps.slice(i, i + 3).join("");
          if (two.startsWith("?:")) i += 2;
          else if (two.startsWith("?<") && two !== "?<=" && two !== "?<!") {
            const close = cps.indexOf(">", i);
            if (close < 0) fail("unterminated group name");
            i = close + 1;
          } else fail("lookahead and lookbehind are not supported (they are not regular)", open);
        }
        const inner = parseAlternatives();
        if (peek() !== ")") fail("missing ')'", open);
        i++;
        return inner;
      }
      case ")":
        return fail("unmatched ')'");
      case "[":
        return parseClass();
      case ".":
        i++;
        return cls(DOT);
      case "^":
      case "$":
        return fail(`anchor '${c}' is only supported at the very start ('^') or end ('$') of the pattern`);
      case "*":
      case "+":
      case "?":
        return fail("nothing to repeat");
      case "\\": {
        const set = parseEscape(false);
        return cls(set);
      }
      default:
        i++;
        return cls([c.codePointAt(0)!, c.codePointAt(0)!]);
    }
  };

  /** Parses an escape at `i` (the backslash); returns its code-point set. */
  const parseEscape = (inClass: boolean): number[] => {
    const at = i;
    i++;
    const e = cps[i];
    if (e === undefined) fail("trailing backslash", at);
    i++;
    const one = (cp: number): number[] => [cp, cp];
    switch (e) {
      case "d":
        return DIGIT;
      case "D":
        return negateRanges(DIGIT, MAX_CODE_POINT);
      case "w":
        return WORD;
      case "W":
        return negateRanges(WORD, MAX_CODE_POINT);
      case "s":
        return SPACE;
      case "S":
        return negateRanges(SPACE, MAX_CODE_POINT);
      case "n":
        return one(0x0a);
      case "r":
        return one(0x0d);
      case "t":
        return one(0x09);
      case "f":
        return one(0x0c);
      case "v":
        return one(0x0b);
      case "0":
        return one(0);
      case "b":
        if (inClass) return one(0x08);
        return fail("word boundaries (\\b) are not supported", at);
      case "B":
        return fail("word boundaries (\\B) are not supported", at);
      case "x": {
        const h = cps.slice(i, i + 2).join("");
        if (!/^[0-9a-fA-F]{2}$/.test(h)) fail("\\x needs two hex digits", at);
        i += 2;
        return one(Number.parseInt(h, 16));
      }
      case "u": {
        if (cps[i] === "{") {
          const close = cps.indexOf("}", i);
          const h = close < 0 ? "" : cps.slice(i + 1, close).join("");
          if (!/^[0-9a-fA-F]{1,6}$/.test(h) || Number.parseInt(h, 16) > MAX_CODE_POINT)
            fail("bad \\u{…} escape", at);
          i = close + 1;
          return one(Number.parseInt(h, 16));
        }
        const h = cps.slice(i, i + 4).join("");
        if (!/^[0-9a-fA-F]{4}$/.test(h)) fail("\\u needs four hex digits", at);
        i += 4;
        return one(Number.parseInt(h, 16));
      }
      case "k":
        return fail("backreferences are not supported (not context-free)", at);
      default:
        if (/[1-9]/.test(e!)) return fail("backreferences are not supported (not context-free)", at);
        if (/[a-zA-Z]/.test(e!)) return fail(`unknown escape \\${e}`, at);
        return one(e!.codePointAt(0)!);
    }
  };

  const parseClass = (): GrammarExpr => {
    const open = i;
    i++;
    let negated = false;
    if (peek() === "^") {
      negated = true;
      i++;
    }
    const ranges: number[] = [];
    while (i < cps.length && peek() !== "]") {
      let lo: number[];
      if (peek() === "\\") lo = parseEscape(true);
      else {
        const cp = cps[i]!.codePointAt(0)!;
        i++;
        lo = [cp, cp];
      }
      if (
        peek() === "-" &&
        cps[i + 1] !== undefined &&
        cps[i + 1] !== "]" &&
        lo.length === 2 &&
        lo[0] === lo[1]
      ) {
        i++;
        let hi: number[];
        if (peek() === "\\") hi = parseEscape(true);
        else {
          const cp = cps[i]!.codePointAt(0)!;
          i++;
          hi = [cp, cp];
        }
        if (hi.length !== 2 || hi[0] !== hi[1]) fail("a class range must end in a single character");
        if (hi[0]! < lo[0]!) fail("class range out of order");
        ranges.push(lo[0]!, hi[0]!);
      } else {
        ranges.push(...lo);
      }
    }
    if (peek() !== "]") fail("missing ']'", open);
    i++;
    const set = normalizeRanges(ranges);
    return cls(negated ? negateRanges(set, MAX_CODE_POINT) : set);
  };

  const expr = parseAlternatives();
  if (i < endLimit) fail(peek() === ")" ? "unmatched ')'" : "unexpected character");
  return { expr, anchoredStart, anchoredEnd };
}

function escapedAt(cps: string[], k: number): boolean {
  let n = 0;
  for (let j = k - 1; j >= 0 && cps[j] === "\\"; j--) n++;
  return n % 2 === 1;
}
