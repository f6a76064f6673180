import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeChunkPrefix } from "../src/index.js";
import { utf8 } from "./helpers.js";

/** What a line must decode to, from JSON.parse alone: logits as float32, target (null or -1 = none), id; or null if invalid. */
function reference(line: string): { logits: number[]; target?: number; id?: unknown } | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) return null;
  const raw = Object.hasOwn(o, "logits") ? (o as { logits: unknown }).logits : undefined;
  // −∞ may be written null or "-Infinity" (how JSON writers spell it).
  const l = Array.isArray(raw)
    ? raw.map((x) => (x === null || x === "-Infinity" ? Number.NEGATIVE_INFINITY : x))
    : undefined;
  if (!Array.isArray(l) || l.length === 0 || !l.every((x) => typeof x === "number")) return null;
  const out: { logits: number[]; target?: number; id?: unknown } = { logits: l.map((x) => Math.fround(x)) };
  const t = (o as { target?: unknown }).target;
  if (Object.hasOwn(o, "target") && t !== null && t !== -1) {
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= l.length) return null;
    out.target = t;
  }
  if (Object.hasOwn(o, "id")) out.id = (o as { id: unknown }).id;
  return out;
}

function decode(line: string): { logits: number[]; target?: number; id?: unknown } | null {
  const bytes = utf8(`${line}\n`);
  const { batch, error } = decodeChunkPrefix({
    format: "ndjson",
    firstRow: 0,
    rows: 1,
    firstFrame: 0,
    bytes,
    byteOffset: 0,
  });
  if (error !== undefined) return null;
  const out: { logits: number[]; target?: number; id?: unknown } = { logits: Array.from(batch.data) };
  if (batch.targets !== undefined && batch.targets[0]! >= 0) out.target = batch.targets[0]!;
  if (batch.ids !== undefined && batch.ids[0] !== undefined) out.id = batch.ids[0];
  return out;
}

describe("NDJSON object lines", () => {
  it("decode exactly as JSON.parse would, whatever the key order, spacing, duplicates or ids (property, fixed seed)", () => {
    const key = fc.constantFrom('"logits"', '"target"', '"id"', '"other"', '"logit\\u0073"', '"__proto__"');
    const value = fc.oneof(
      fc
        .array(fc.oneof(fc.double(), fc.integer()), { minLength: 1, maxLength: 6 })
        .map((a) => JSON.stringify(a)),
      fc.integer({ min: -1, max: 8 }).map(String),
      fc.json({ maxDepth: 2 }),
      fc.constant('["[", 1]'),
      fc.constant("[1, [2]]"),
    );
    const ws = fc.constantFrom("", " ", "\t", " \r ");
    const line = fc
      .array(fc.tuple(key, value, ws), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v, w]) => `${w}${k}${w}:${w}${v}`).join(",")}}`);
    fc.assert(
      fc.property(line, (l) => {
        expect(decode(l)).toEqual(reference(l));
      }),
      { seed: 31, numRuns: 4000 },
    );
  });

  it("takes the last of duplicate logits keys, as JSON.parse does", () => {
    expect(decode('{"logits":[1,2],"logits":[3]}')).toEqual({ logits: [3] });
    expect(decode('{"logits":"x","logits":[4]}')).toEqual({ logits: [4] });
  });
});
