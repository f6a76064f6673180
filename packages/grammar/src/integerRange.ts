import type { GrammarExpr } from "./grammarExpr.js";
import { alt, chars, literal, repeat, seq } from "./grammarExpr.js";

const DIGIT = chars([0x30, 0x39]);

/**
 * The decimal numerals (no sign, no leading zeros) of the integers in [lo, hi].
 *
 * Method: split [lo, hi] at powers of ten so each piece has one digit count, then for two numerals
 * of equal length recurse on the first digit: a shared first digit is a literal; otherwise the low
 * end's first digit with any larger tail, the digits strictly between with any tail, and the high
 * end's first digit with any smaller tail (the classic range-to-regex construction).
 *
 * @param lo - Integer ≥ 0.
 * @param hi - Integer ≥ lo, at most 2^53 − 1.
 * @returns An expression matching exactly those numerals.
 * @example
 * ```ts
 * integerRange(0, 150); // 0..9 | 10..99 | 100..150
 * ```
 */
export function integerRange(lo: number, hi: number): GrammarExpr {
  const items: GrammarExpr[] = [];
  let len = String(lo).length;
  const maxLen = String(hi).length;
  for (; len <= maxLen; len++) {
    const first = len === 1 ? 0 : 10 ** (len - 1);
    const last = 10 ** len - 1;
    const a = Math.max(lo, first);
    const b = Math.min(hi, last);
    if (a <= b) items.push(sameLength(String(a), String(b)));
  }
  return alt(...items);
}

function sameLength(a: string, b: string): GrammarExpr {
  const n = a.length;
  const a0 = a.charCodeAt(0);
  const b0 = b.charCodeAt(0);
  if (n === 1) return chars([a0, b0]);
  const restA = a.slice(1);
  const restB = b.slice(1);
  if (a0 === b0) return seq(literal(a[0]!), sameLength(restA, restB));
  if (/^0*$/.test(restA) && /^9*$/.test(restB)) return seq(chars([a0, b0]), repeat(DIGIT, n - 1, n - 1));
  const parts: GrammarExpr[] = [seq(literal(a[0]!), sameLength(restA, "9".repeat(n - 1)))];
  if (a0 + 1 <= b0 - 1) parts.push(seq(chars([a0 + 1, b0 - 1]), repeat(DIGIT, n - 1, n - 1)));
  parts.push(seq(literal(b[0]!), sameLength("0".repeat(n - 1), restB)));
  return alt(...parts);
}
