const LOGITS = [0x22, 0x6c, 0x6f, 0x67, 0x69, 0x74, 0x73, 0x22]; // "logits"

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * In an NDJSON object line `b[s, e)`, finds the value of the top-level key `"logits"` when it is an
 * array, and returns `[start, end)` of that array's bytes (from "[" to just past "]"), or null. A
 * cheap token walk (strings with escapes skipped, nesting counted), no parsing: it lets the byte
 * scanner parse the numbers while JSON.parse only sees the small rest of the object. The caller
 * falls back to JSON.parse of the whole line whenever this returns null or the result is ambiguous.
 */
export function findLogitsArray(b: Uint8Array, s: number, e: number): [number, number] | null {
  let depth = 0;
  let p = s;
  let found: [number, number] | null = null;
  while (p < e) {
    const c = b[p]!;
    if (c === 0x22) {
      const strStart = p;
      let escaped = false;
      p++;
      while (p < e && b[p] !== 0x22) {
        if (b[p] === 0x5c) {
          escaped = true;
          p += 2;
        } else p++;
      }
      p++;
      if (depth !== 1) continue;
      if (escaped) {
        // A top-level key spelled with escapes might be "logits" in disguise ("logit\u0073"): bail out.
        let q = p;
        while (q < e && isWs(b[q]!)) q++;
        if (b[q] === 0x3a) return null;
        continue;
      }
      if (p - strStart !== 8) continue;
      let match = true;
      for (let i = 0; i < 8; i++) {
        if (b[strStart + i] !== LOGITS[i]) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      let q = p;
      while (q < e && isWs(b[q]!)) q++;
      if (b[q] !== 0x3a) continue; // a value "logits", not a key
      // A second "logits" key: JSON.parse keeps the last one; leave such lines to it.
      if (found !== null) return null;
      q++;
      while (q < e && isWs(b[q]!)) q++;
      if (b[q] !== 0x5b) return null;
      const start = q;
      let d = 0;
      for (; q < e; q++) {
        const x = b[q]!;
        if (x === 0x22) return null; // a string inside: not an array of numbers, let JSON.parse report it
        if (x === 0x5b) d++;
        else if (x === 0x5d && --d === 0) break;
      }
      if (q >= e) return null;
      found = [start, q + 1];
      p = q + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    p++;
  }
  return found;
}
