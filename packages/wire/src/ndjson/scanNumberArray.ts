/**
 * A hand-written scanner for one NDJSON row written as a JSON array of numbers, straight from UTF-8
 * bytes (no TextDecoder, no intermediate JS array). It accepts exactly the arrays of numbers that
 * `JSON.parse` accepts (JSON whitespace, RFC 8259 number grammar) and produces, for every element,
 * exactly `Math.fround(JSON.parse(text))`. Besides numbers, an element may be −∞ (a banned token)
 * written the ways our own records and other tools write it: `null` (what JSON writers make of
 * −Infinity, ours included), `-Infinity` (JavaScript, Python's json) or the string `"-Infinity"`.
 *
 * Method: digits are accumulated into a double (up to 19 significant digits; later digits cannot
 * move the value by more than 1e-18 relative) and scaled by a power of ten.
 * - Clinger's fast path: with ≤ 15 significant digits and |exponent| ≤ 22 both operands are exact and
 *   one IEEE multiply/divide is correctly rounded, so the double equals JSON.parse's.
 * - Otherwise the approximation `a` is within ~2^-50 relative of the true decimal value. Rounding to
 *   float32 is monotonic, so if `fround(a − a·2^-40) === fround(a + a·2^-40)` every value in that
 *   interval — the true value, and JSON.parse's correctly rounded double — rounds to the same float32.
 *   Only numbers within 2^-40 of a float32 rounding boundary (rare) fall back to `Number(text)`,
 *   the engine's correctly rounded conversion (the same one JSON.parse uses).
 *
 * References: W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990.
 */

/** Thrown (internally) at the byte where the input stops being a JSON array of numbers. */
export class ScanFailure extends Error {
  constructor(
    readonly pos: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const POW10: number[] = [];
for (let i = 0; i <= 80; i++) POW10.push(Number(`1e${i}`)); // correctly rounded by the engine
const MARGIN = 2 ** -40;
const latin1 = new TextDecoder("latin1");

const NULL = [0x6e, 0x75, 0x6c, 0x6c]; // null
const MINUS_INFINITY = [0x2d, 0x49, 0x6e, 0x66, 0x69, 0x6e, 0x69, 0x74, 0x79]; // -Infinity

/** Whether `b[pos, …)` starts with `word`. */
function startsWith(b: Uint8Array, pos: number, end: number, word: readonly number[]): boolean {
  if (pos + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[pos + i] !== word[i]) return false;
  return true;
}

/** Bytes of a −∞ element at `pos` (`null`, `-Infinity` or `"-Infinity"`), or 0 when there is none. */
function minusInfinityAt(b: Uint8Array, pos: number, end: number): number {
  if (startsWith(b, pos, end, NULL)) return 4;
  if (startsWith(b, pos, end, MINUS_INFINITY)) return 9;
  if (
    b[pos] === 0x22 &&
    startsWith(b, pos + 1, end, MINUS_INFINITY) &&
    b[pos + 10] === 0x22 &&
    pos + 11 <= end
  )
    return 11;
  return 0;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describe(b: Uint8Array, pos: number, end: number): string {
  if (pos >= end) return "the end of the line";
  const c = b[pos]!;
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/**
 * Parses the JSON array of numbers in `b[start, end)` into `out` from `outOffset`, writing at most
 * `capacity` values. Returns the element count, or `capacity + 1` as soon as the array is longer than
 * `capacity` (the rest is then not parsed). Throws {@link ScanFailure} on anything that is not a JSON
 * array of numbers.
 */
export function scanNumberArray(
  b: Uint8Array,
  start: number,
  end: number,
  out: Float32Array,
  outOffset: number,
  capacity: number,
): number {
  let pos = start;
  while (pos < end && isWs(b[pos]!)) pos++;
  if (pos >= end || b[pos] !== 0x5b)
    throw new ScanFailure(pos, `expected "[", found ${describe(b, pos, end)}`);
  pos++;
  while (pos < end && isWs(b[pos]!)) pos++;
  let n = 0;
  if (pos < end && b[pos] === 0x5d) {
    pos++;
  } else {
    for (;;) {
      const special = minusInfinityAt(b, pos, end);
      if (special > 0) {
        pos += special;
        if (n < capacity) out[outOffset + n] = Number.NEGATIVE_INFINITY;
        n++;
        if (n > capacity) return n;
      } else {
        // ---- one number (RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?) ----
        const numStart = pos;
        let neg = false;
        let c = pos < end ? b[pos]! : -1;
        if (c === 0x2d) {
          neg = true;
          pos++;
          c = pos < end ? b[pos]! : -1;
        }
        let mant = 0;
        let sig = 0;
        let exp10 = 0;
        if (c === 0x30) {
          pos++;
        } else if (c >= 0x31 && c <= 0x39) {
          while (pos < end) {
            c = b[pos]!;
            if (c < 0x30 || c > 0x39) break;
            if (sig < 19) {
              mant = mant * 10 + (c - 0x30);
              sig++;
            } else exp10++;
            pos++;
          }
        } else {
          throw new ScanFailure(pos, `expected a number, found ${describe(b, pos, end)}`);
        }
        if (pos < end && b[pos] === 0x2e) {
          pos++;
          const fracStart = pos;
          while (pos < end) {
            c = b[pos]!;
            if (c < 0x30 || c > 0x39) break;
            if (sig < 19) {
              if (mant !== 0 || c !== 0x30) {
                mant = mant * 10 + (c - 0x30);
                sig++;
              }
              exp10--;
            }
            pos++;
          }
          if (pos === fracStart)
            throw new ScanFailure(pos, `expected a digit after ".", found ${describe(b, pos, end)}`);
        }
        if (pos < end && (b[pos] === 0x65 || b[pos] === 0x45)) {
          pos++;
          let eneg = false;
          if (pos < end && (b[pos] === 0x2b || b[pos] === 0x2d)) {
            eneg = b[pos] === 0x2d;
            pos++;
          }
          const expStart = pos;
          let e = 0;
          while (pos < end) {
            c = b[pos]!;
            if (c < 0x30 || c > 0x39) break;
            if (e < 100000) e = e * 10 + (c - 0x30);
            pos++;
          }
          if (pos === expStart)
            throw new ScanFailure(pos, `expected exponent digits, found ${describe(b, pos, end)}`);
          exp10 += eneg ? -e : e;
        }
        let v: number;
        if (mant === 0) {
          v = neg ? -0 : 0;
        } else if (sig <= 15 && exp10 >= -22 && exp10 <= 22) {
          const d = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
          v = Math.fround(neg ? -d : d);
        } else {
          v = Number.NaN;
          if (exp10 >= -80 && exp10 <= 80) {
            const a = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
            const m = a * MARGIN;
            const lo = Math.fround(a - m);
            if (lo === Math.fround(a + m)) v = neg ? -lo : lo;
          }
          if (Number.isNaN(v)) v = Math.fround(Number(latin1.decode(b.subarray(numStart, pos))));
        }
        if (n < capacity) out[outOffset + n] = v;
        n++;
        if (n > capacity) return n;
      }
      // ---- separator ----
      while (pos < end && isWs(b[pos]!)) pos++;
      const c = pos < end ? b[pos]! : -1;
      if (c === 0x2c) {
        pos++;
        while (pos < end && isWs(b[pos]!)) pos++;
        continue;
      }
      if (c === 0x5d) {
        pos++;
        break;
      }
      throw new ScanFailure(pos, `expected "," or "]" after a number, found ${describe(b, pos, end)}`);
    }
  }
  while (pos < end && isWs(b[pos]!)) pos++;
  if (pos < end) throw new ScanFailure(pos, `unexpected ${describe(b, pos, end)} after the closing "]"`);
  return n;
}
