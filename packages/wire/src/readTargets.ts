import { type ByteInput, isByteReader, piecesOfReader } from "./byteSource.js";
import { WireError } from "./errors.js";

/** Options of {@link readTargets}. */
export interface ReadTargetsOptions {
  /** Most targets in one yielded array (default 65,536: 256 KiB). */
  maxChunkTargets?: number;
}

/** The largest target id: token ids are int32 (core's `Int32Array` targets). */
export const MAX_TARGET = 2 ** 31 - 1;

/** Characters of a bad token quoted in an error message. */
const QUOTE_BYTES = 32;

// ASCII whitespace (the C locale's isspace): space, \t, \n, \v, \f, \r.
const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) SPACE[c] = 1;

/**
 * Reads a targets file — whitespace-separated decimal integers, one per row, in row order (the CLI's
 * `score --targets FILE`) — as arrays of target ids, in bounded memory: each yielded `Int32Array` holds
 * the targets parsed from one read of the input (at most `maxChunkTargets`), so a slow or endless
 * source yields as it goes, and a number split across two reads is put together.
 *
 * Accepted: `0 … 2^31 − 1`, and `-1` for "no target" (the row is scored by its entropy, as a frame
 * without `target`; core's convention). Leading zeros are allowed; a sign other than the `-` of `-1`,
 * decimals (`3.0`), exponents, hex, other negative numbers and values ≥ 2^31 are not: they are a
 * {@link WireError} whose `frame` is the token's index (= its row) and `byteOffset` the absolute offset of
 * its first byte — `E_WIRE_SYNTAX` for text that is not an integer, `E_WIRE_FIELD` for an integer out of
 * range. Every target before the bad token is yielded first. A UTF-8 byte order mark is skipped.
 */
export async function* readTargets(
  input: ByteInput,
  opts: ReadTargetsOptions = {},
): AsyncGenerator<Int32Array, void, undefined> {
  const max = opts.maxChunkTargets ?? 65536;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new WireError("E_WIRE_FORMAT", "option maxChunkTargets must be a positive integer", {
      frame: -1,
      byteOffset: -1,
    });
  }
  const pieces = piecesOf(input);
  let out = new Int32Array(max);
  let n = 0;
  let index = 0; // tokens completed so far = the index of the token being read
  let offset = 0; // absolute offset of the current piece's first byte
  // The token being read (it may span pieces): where it starts, its digits, and its first bytes.
  let inToken = false;
  let start = 0;
  let negative = false;
  let digits = 0;
  let value = 0;
  let bad = false; // holds a byte that is neither a digit nor a leading "-"
  const quote: number[] = [];
  let quoteCut = false;

  const problem = (): WireError => {
    const text = `${String.fromCharCode(...quote)}${quoteCut ? "…" : ""}`;
    const where = { frame: index, byteOffset: start };
    const head = `targets file: target ${index} (row ${index}) ${JSON.stringify(text)}`;
    if (bad || digits === 0) {
      return new WireError(
        "E_WIRE_SYNTAX",
        `${head} is not an integer; write token ids as decimal integers separated by whitespace (-1 = no target)`,
        where,
      );
    }
    return new WireError(
      "E_WIRE_FIELD",
      `${head} is out of range: a target is a token id in [0, ${MAX_TARGET}], or -1 for no target`,
      where,
    );
  };
  /** Ends the current token: its value, or null when it is bad (`problem()` says why). */
  const finish = (): number | null => {
    inToken = false;
    if (bad || digits === 0) return null;
    if (negative) return value === 1 ? -1 : value === 0 ? 0 : null;
    return value <= MAX_TARGET ? value : null;
  };

  let first = true;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    let i = 0;
    if (first) {
      first = false;
      if (piece.length >= 3 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) i = 3;
    }
    for (; i < piece.length; i++) {
      const c = piece[i]!;
      if (SPACE[c] === 1) {
        if (!inToken) continue;
        const t = finish();
        if (t === null) {
          if (n > 0) yield out.slice(0, n);
          throw problem();
        }
        out[n++] = t;
        index++;
        if (n === max) {
          yield out;
          out = new Int32Array(max);
          n = 0;
        }
        continue;
      }
      if (!inToken) {
        inToken = true;
        start = offset + i;
        negative = false;
        digits = 0;
        value = 0;
        bad = false;
        quote.length = 0;
        quoteCut = false;
      }
      if (quote.length < QUOTE_BYTES) quote.push(c >= 0x20 && c < 0x7f ? c : 0x3f);
      else {
        quoteCut = true;
        // A bad token is read on only to quote it: stop once the quote is full.
        if (bad) {
          if (n > 0) yield out.slice(0, n);
          throw problem();
        }
      }
      if (c >= 0x30 && c <= 0x39) {
        // Capped: any value past 2^31 is out of range already, and stays a small number.
        value = Math.min(value * 10 + (c - 0x30), 2 ** 32);
        digits++;
      } else if (c === 0x2d && !negative && digits === 0 && !bad) {
        negative = true;
      } else {
        bad = true;
      }
    }
    offset += piece.length;
    if (n > 0) {
      yield out.slice(0, n);
      n = 0;
    }
  }
  if (inToken) {
    const t = finish();
    if (t === null) {
      if (n > 0) yield out.slice(0, n);
      throw problem();
    }
    out[n++] = t;
    index++;
  }
  if (n > 0) yield out.slice(0, n);
}

/** The input's byte pieces, whatever its kind; anything but bytes is an `E_WIRE_FORMAT` error. */
async function* piecesOf(input: ByteInput): AsyncGenerator<Uint8Array, void, undefined> {
  if (input instanceof Uint8Array) {
    yield input;
    return;
  }
  if (isByteReader(input)) {
    let at = 0;
    try {
      for await (const piece of piecesOfReader(input, () => at)) {
        at += piece.length;
        yield piece;
      }
    } finally {
      await input.close?.();
    }
    return;
  }
  if (
    typeof input !== "object" ||
    input === null ||
    !(Symbol.asyncIterator in input || Symbol.iterator in input)
  ) {
    throw new WireError(
      "E_WIRE_FORMAT",
      "input must be a readable stream, an (async) iterable of Uint8Array, a Uint8Array or a ByteReader",
      { frame: -1, byteOffset: -1 },
    );
  }
  let at = 0;
  for await (const v of input as AsyncIterable<unknown>) {
    const piece = v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : undefined;
    if (piece === undefined) {
      throw new WireError(
        "E_WIRE_FORMAT",
        `input yielded ${typeof v === "string" ? "a string" : typeof v}; readers need bytes (do not call setEncoding on the stream)`,
        { frame: -1, byteOffset: at },
      );
    }
    at += piece.length;
    yield piece;
  }
}
