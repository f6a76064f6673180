/**
 * The bytes the framers look for, by name. Framing never decodes text: NDJSON lines are found by their
 * newline byte, which UTF-8 never uses inside a multi-byte character, so byte search is exact.
 */
export const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const TAB = 0x09;
export const SPACE = 0x20;
export const COMMA = 0x2c;
/** `[`: a JSON array line (bare logits). */
export const OPEN_BRACKET = 0x5b;
/** `{`: a JSON object line (`{"logits": [...]}`). */
export const OPEN_BRACE = 0x7b;
/** First and last printable ASCII bytes. */
export const FIRST_PRINTABLE = 0x20;
export const LAST_PRINTABLE = 0x7e;

/** Whether the bytes start with the UTF-8 byte order mark EF BB BF. */
export function hasByteOrderMark(b: Uint8Array): boolean {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/** Space, tab or carriage return: the blanks a line may hold besides its JSON value. */
export function isLineBlank(c: number | undefined): boolean {
  return c === SPACE || c === TAB || c === CARRIAGE_RETURN;
}

/** Whether bytes `start … end - 1` are all blanks (an empty or blank line holds no row). */
export function isBlankRange(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isLineBlank(b[i])) return false;
  return true;
}
