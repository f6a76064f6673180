/**
 * The one intermediate form every front end (JSON Schema, regex, GBNF) produces: named rules whose
 * bodies are expressions over code points and bytes. {@link lowerGrammar} turns it into the flat
 * rule table the byte automaton runs.
 */

/** A grammar expression. Code-point classes are lowered to UTF-8 byte sequences; `bytes` matches one raw byte. */
export type GrammarExpr =
  | { readonly kind: "chars"; readonly ranges: readonly number[] }
  | { readonly kind: "bytes"; readonly ranges: readonly number[] }
  | { readonly kind: "seq"; readonly items: readonly GrammarExpr[] }
  | { readonly kind: "alt"; readonly items: readonly GrammarExpr[] }
  | { readonly kind: "repeat"; readonly item: GrammarExpr; readonly min: number; readonly max: number }
  | { readonly kind: "ref"; readonly name: string };

/** A whole grammar: rule name → body, and the rule the output must match. */
export interface GrammarDefinition {
  readonly rules: ReadonlyMap<string, GrammarExpr>;
  readonly root: string;
}

/** The largest Unicode scalar value. */
export const MAX_CODE_POINT = 0x10ffff;

/** Matches the empty string. */
export const EMPTY: GrammarExpr = { kind: "seq", items: [] };

/**
 * One code point from a set given as sorted, disjoint inclusive `[lo, hi]` pairs (normalized here).
 * @param ranges - Flat pairs `lo0, hi0, lo1, hi1, …` in any order; overlaps are merged.
 * @returns A `chars` expression.
 * @example
 * ```ts
 * chars([0x30, 0x39]); // one ASCII digit
 * ```
 */
export function chars(ranges: readonly number[]): GrammarExpr {
  return { kind: "chars", ranges: normalizeRanges(ranges) };
}

/**
 * The UTF-8 encoding of `text`, byte by byte.
 * @param text - Any string (lone surrogates are encoded as U+FFFD, as TextEncoder does).
 * @returns A `seq` of single-byte expressions.
 * @example
 * ```ts
 * literal("é"); // two bytes C3 A9
 * ```
 */
export function literal(text: string): GrammarExpr {
  const items: GrammarExpr[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    for (const b of utf8Bytes(cp)) items.push({ kind: "bytes", ranges: [b, b] });
  }
  return items.length === 1 ? items[0]! : { kind: "seq", items };
}

/**
 * A sequence (flattened when it has one item).
 * @param items - Expressions in order.
 * @returns The sequence.
 * @example
 * ```ts
 * seq(literal("["), ref("item"), literal("]"));
 * ```
 */
export function seq(...items: GrammarExpr[]): GrammarExpr {
  return items.length === 1 ? items[0]! : { kind: "seq", items };
}

/**
 * Alternatives (flattened when there is one).
 * @param items - The choices.
 * @returns The alternation.
 * @example
 * ```ts
 * alt(literal("true"), literal("false"));
 * ```
 */
export function alt(...items: GrammarExpr[]): GrammarExpr {
  return items.length === 1 ? items[0]! : { kind: "alt", items };
}

/**
 * `item` repeated between `min` and `max` times (`max` may be `Infinity`).
 * @param item - The repeated expression.
 * @param min - Integer ≥ 0.
 * @param max - Integer ≥ min, or Infinity.
 * @returns The repetition.
 * @example
 * ```ts
 * repeat(chars([0x30, 0x39]), 1, 3); // one to three digits
 * ```
 */
export function repeat(item: GrammarExpr, min: number, max: number): GrammarExpr {
  return { kind: "repeat", item, min, max };
}

/**
 * A reference to a named rule.
 * @param name - Rule name.
 * @returns The reference.
 * @example
 * ```ts
 * ref("value");
 * ```
 */
export function ref(name: string): GrammarExpr {
  return { kind: "ref", name };
}

/**
 * Sorts and merges flat `[lo, hi]` pairs.
 * @param ranges - Flat pairs.
 * @returns Sorted, disjoint, non-adjacent pairs.
 * @example
 * ```ts
 * normalizeRanges([5, 9, 0, 5]); // [0, 9]
 * ```
 */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    if (ranges[i]! <= ranges[i + 1]!) pairs.push([ranges[i]!, ranges[i + 1]!]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/**
 * The complement of a code-point set within [0, `max`].
 * @param ranges - Normalized pairs.
 * @param max - Upper end of the universe (0x10FFFF for code points, 0xFF for bytes).
 * @returns Normalized pairs of everything else.
 * @example
 * ```ts
 * negateRanges([0x30, 0x39], 0x7f); // [0, 0x2f, 0x3a, 0x7f]
 * ```
 */
export function negateRanges(ranges: readonly number[], max: number): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= max) out.push(next, max);
  return out;
}

/**
 * The intersection of two normalized sets.
 * @param a - Normalized pairs.
 * @param b - Normalized pairs.
 * @returns Normalized pairs in both.
 * @example
 * ```ts
 * intersectRanges([0, 10], [5, 20]); // [5, 10]
 * ```
 */
export function intersectRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
