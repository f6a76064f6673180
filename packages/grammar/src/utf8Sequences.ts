/**
 * The UTF-8 encodings of a range of code points, as a list of byte-range sequences: every code point
 * in [lo, hi] (surrogates excluded) encodes to exactly one sequence `s` with `s[i][0] ≤ byte i ≤ s[i][1]`,
 * and every byte string matching a sequence is the encoding of a code point in the range.
 *
 * Method: split the range at the encoding-length boundaries (U+007F, U+07FF, U+FFFF) and around the
 * surrogates, then split further until, within each piece, all code points share their leading
 * bytes except for full continuation ranges — then each byte position is an independent range.
 * References: the same splitting as Rust regex-syntax's `Utf8Sequences` and RE2's UTF-8 compiler.
 *
 * @param lo - First code point.
 * @param hi - Last code point (inclusive, ≤ 0x10FFFF).
 * @returns Sequences of `[loByte, hiByte]` pairs, in code-point order.
 * @example
 * ```ts
 * utf8Sequences(0x41, 0x5a); // [[[0x41, 0x5a]]]
 * utf8Sequences(0xe9, 0xe9); // [[[0xc3, 0xc3], [0xa9, 0xa9]]]
 * ```
 */
export function utf8Sequences(lo: number, hi: number): [number, number][][] {
  const out: [number, number][][] = [];
  split(lo, hi, out);
  return out;
}

function split(lo: number, hi: number, out: [number, number][][]): void {
  if (lo > hi) return;
  if (lo <= 0xdfff && hi >= 0xd800) {
    split(lo, 0xd7ff, out);
    split(0xe000, hi, out);
    return;
  }
  for (const edge of [0x7f, 0x7ff, 0xffff]) {
    if (lo <= edge && hi > edge) {
      split(lo, edge, out);
      split(edge + 1, hi, out);
      return;
    }
  }
  if (hi <= 0x7f) {
    out.push([[lo, hi]]);
    return;
  }
  for (let i = 1; i < 4; i++) {
    const m = (1 << (6 * i)) - 1;
    if ((lo & ~m) !== (hi & ~m)) {
      if ((lo & m) !== 0) {
        split(lo, lo | m, out);
        split((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) !== m) {
        split(lo, (hi & ~m) - 1, out);
        split(hi & ~m, hi, out);
        return;
      }
    }
  }
  const a = encode(lo);
  const b = encode(hi);
  const seq: [number, number][] = [];
  for (let i = 0; i < a.length; i++) seq.push([a[i]!, b[i]!]);
  out.push(seq);
}

function encode(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
