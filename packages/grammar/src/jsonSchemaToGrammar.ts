import { SchemaError } from "./errors.js";
import type { GrammarDefinition, GrammarExpr } from "./grammarExpr.js";
import {
  alt,
  chars,
  EMPTY,
  literal,
  MAX_CODE_POINT,
  normalizeRanges,
  ref,
  repeat,
  seq,
} from "./grammarExpr.js";
import { integerRange } from "./integerRange.js";
import { parseRegex } from "./parseRegex.js";

/** Keywords that describe a schema without constraining values: accepted and ignored. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$defs",
  "definitions",
]);

const SUPPORTED = new Set([
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "oneOf",
  "$ref",
]);

/** Largest magnitude an unbounded number or integer may take: 15 digits, exact in a float64. */
const MAX_MAGNITUDE = 999_999_999_999_999;
/** Largest `minItems`/`maxItems`/`minLength`/`maxLength` compiled (each count is automaton states). */
const MAX_COUNT = 10_000;

// Characters a JSON string may hold unescaped: everything from U+0020 except '"' and '\'.
const UNESCAPED = normalizeRanges([0x20, 0x21, 0x23, 0x5b, 0x5d, MAX_CODE_POINT]);
const HEX = [0x30, 0x39, 0x41, 0x46, 0x61, 0x66];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Compiles a JSON Schema (the common subset below) to a grammar whose matches are exactly JSON texts
 * that validate against it, written compactly (no whitespace), object properties in schema order.
 *
 * Supported: `type` (one or a list), `enum`, `const`; objects: `properties`, `required`,
 * `additionalProperties` (`false`, or — without `properties` — a schema for a string-keyed map; with
 * `properties` only the listed ones are generated, which every `additionalProperties` allows); arrays:
 * `items` (one schema), `minItems`, `maxItems`; strings: `minLength`, `maxLength` (code points),
 * `pattern` (JavaScript regex syntax, unanchored as the spec says; matched against the unescaped
 * characters); numbers and integers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`
 * (a non-integer bound is narrowed to the integers inside it, so outputs stay valid); `anyOf`,
 * `oneOf` (as alternatives: keep a `oneOf`'s branches disjoint); `$ref` to `#`, `#/$defs/…`,
 * `#/definitions/…` (recursion allowed). `true`/`{}` is any JSON value. Annotations (`title`,
 * `description`, `default`, `examples`, …) are ignored. Anything else is a {@link SchemaError}
 * naming the keyword and where it is.
 *
 * Numbers have at most 15 integer digits and 15 fraction digits, and exponents only when
 * unbounded (|exponent| < 100), so every output is a finite float64 that JSON.parse reads back exactly
 * as validated.
 *
 * References: llama.cpp `json-schema-to-grammar` (the rule shapes: an ordered property list with
 * optional members, integer ranges by digit); JSON Schema 2020-12 validation vocabulary.
 *
 * @param schema - The schema (a parsed JSON value).
 * @returns The grammar definition (root rule `root`).
 * @example
 * ```ts
 * jsonSchemaToGrammar({ type: "object", properties: { a: { type: "boolean" } }, required: ["a"] });
 * // matches {"a":true} and {"a":false}
 * ```
 */
export function jsonSchemaToGrammar(schema: unknown): GrammarDefinition {
  const rules = new Map<string, GrammarExpr>();
  const refRules = new Map<string, string>();
  let counter = 0;
  const fresh = (base: string): string => `${base}-${counter++}`;

  const define = (name: string, body: GrammarExpr): GrammarExpr => {
    rules.set(name, body);
    return ref(name);
  };

  // Shared rules.
  const charRule = (): GrammarExpr => {
    if (!rules.has("json-char")) {
      // Escapes other than \u-surrogates, so one matched character is one code point (as minLength counts).
      const hexNoSurrogate = alt(
        seq(chars([0x30, 0x39, 0x41, 0x43, 0x45, 0x46, 0x61, 0x63, 0x65, 0x66]), repeat(chars(HEX), 3, 3)),
        seq(chars([0x44, 0x44, 0x64, 0x64]), chars([0x30, 0x37]), repeat(chars(HEX), 2, 2)),
      );
      define(
        "json-char",
        alt(
          chars(UNESCAPED),
          seq(
            literal("\\"),
            alt(
              chars([
                0x22, 0x22, 0x2f, 0x2f, 0x5c, 0x5c, 0x62, 0x62, 0x66, 0x66, 0x6e, 0x6e, 0x72, 0x72, 0x74,
                0x74,
              ]),
              seq(literal("u"), hexNoSurrogate),
            ),
          ),
        ),
      );
    }
    return ref("json-char");
  };
  const stringRule = (): GrammarExpr => {
    if (!rules.has("json-string")) {
      define("json-string", seq(literal('"'), repeat(charRule(), 0, Number.POSITIVE_INFINITY), literal('"')));
    }
    return ref("json-string");
  };
  const digits = (min: number, max: number): GrammarExpr => repeat(chars([0x30, 0x39]), min, max);
  const intPart = (): GrammarExpr => alt(literal("0"), seq(chars([0x31, 0x39]), digits(0, 14)));
  const numberRule = (): GrammarExpr => {
    if (!rules.has("json-number")) {
      define(
        "json-number",
        seq(
          repeat(literal("-"), 0, 1),
          intPart(),
          repeat(seq(literal("."), digits(1, 15)), 0, 1),
          repeat(
            seq(chars([0x45, 0x45, 0x65, 0x65]), repeat(chars([0x2b, 0x2b, 0x2d, 0x2d]), 0, 1), digits(1, 2)),
            0,
            1,
          ),
        ),
      );
    }
    return ref("json-number");
  };
  const integerRule = (): GrammarExpr => {
    if (!rules.has("json-integer")) define("json-integer", seq(repeat(literal("-"), 0, 1), intPart()));
    return ref("json-integer");
  };
  const valueRule = (): GrammarExpr => {
    if (!rules.has("json-value")) {
      rules.set("json-value", EMPTY); // reserve: the body refers to itself
      const v = ref("json-value");
      const member = seq(stringRule(), literal(":"), v);
      const object = seq(
        literal("{"),
        repeat(seq(member, repeat(seq(literal(","), member), 0, Number.POSITIVE_INFINITY)), 0, 1),
        literal("}"),
      );
      const array = seq(
        literal("["),
        repeat(seq(v, repeat(seq(literal(","), v), 0, Number.POSITIVE_INFINITY)), 0, 1),
        literal("]"),
      );
      rules.set(
        "json-value",
        alt(object, array, stringRule(), numberRule(), literal("true"), literal("false"), literal("null")),
      );
    }
    return ref("json-value");
  };

  const resolvePointer = (pointer: string, path: string): unknown => {
    if (pointer === "#") return schema;
    if (!pointer.startsWith("#/")) {
      throw new SchemaError(
        path,
        "$ref",
        `only local references ("#", "#/$defs/…") are supported, got "${pointer}"`,
      );
    }
    let node: unknown = schema;
    for (const raw of pointer.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (node === null || typeof node !== "object" || !(key in (node as object))) {
        throw new SchemaError(path, "$ref", `"${pointer}" does not resolve to a schema`);
      }
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };

  const compile = (s: unknown, path: string): GrammarExpr => {
    if (s === true) return valueRule();
    if (s === false)
      throw new SchemaError(path, "", "the schema false matches nothing: no output can satisfy it");
    if (s === null || typeof s !== "object" || Array.isArray(s)) {
      throw new SchemaError(path, "", "a schema must be an object or a boolean");
    }
    const o = s as Record<string, unknown>;
    const keys = Object.keys(o);
    for (const k of keys) {
      if (!SUPPORTED.has(k) && !ANNOTATIONS.has(k)) {
        throw new SchemaError(
          path,
          k,
          "is not supported by the grammar compiler; remove it or express it with the supported keywords",
        );
      }
    }
    const constraining = keys.filter((k) => SUPPORTED.has(k));
    if ("$ref" in o) {
      if (constraining.length > 1) {
        throw new SchemaError(
          path,
          "$ref",
          "keywords beside $ref are not supported; move them into the referenced schema",
        );
      }
      const pointer = o.$ref;
      if (typeof pointer !== "string") throw new SchemaError(path, "$ref", "must be a string");
      let name = refRules.get(pointer);
      if (name === undefined) {
        name = fresh("ref");
        refRules.set(pointer, name);
        rules.set(name, EMPTY); // reserved for recursion
        rules.set(name, compile(resolvePointer(pointer, path), pointer));
      }
      return ref(name);
    }
    if ("const" in o) return literal(JSON.stringify(o.const));
    if ("enum" in o) {
      const values = o.enum;
      if (!Array.isArray(values) || values.length === 0)
        throw new SchemaError(path, "enum", "must be a non-empty array");
      return alt(...values.map((v) => literal(JSON.stringify(v))));
    }
    for (const k of ["anyOf", "oneOf"] as const) {
      if (k in o) {
        if (constraining.length > 1) {
          throw new SchemaError(
            path,
            k,
            `keywords beside ${k} are not supported; move them into each alternative`,
          );
        }
        const subs = o[k];
        if (!Array.isArray(subs) || subs.length === 0)
          throw new SchemaError(path, k, "must be a non-empty array");
        return alt(...subs.map((x, i) => compile(x, `${path}/${k}/${i}`)));
      }
    }
    let types: string[];
    if (o.type === undefined) {
      types = [];
      if ("properties" in o || "additionalProperties" in o || "required" in o) types.push("object");
      if ("items" in o || "minItems" in o || "maxItems" in o) types.push("array");
      if ("minLength" in o || "maxLength" in o || "pattern" in o) types.push("string");
      if ("minimum" in o || "maximum" in o || "exclusiveMinimum" in o || "exclusiveMaximum" in o)
        types.push("number");
      if (types.length === 0) return valueRule();
    } else if (typeof o.type === "string") {
      types = [o.type];
    } else if (Array.isArray(o.type) && o.type.length > 0 && o.type.every((t) => typeof t === "string")) {
      types = o.type as string[];
    } else {
      throw new SchemaError(path, "type", "must be a type name or a non-empty array of them");
    }
    return alt(...types.map((t) => compileType(t, o, path)));
  };

  const count = (o: Record<string, unknown>, key: string, path: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new SchemaError(path, key, `must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    if (v > MAX_COUNT) throw new SchemaError(path, key, `${v} is above the supported ${MAX_COUNT}`);
    return v;
  };

  const compileType = (t: string, o: Record<string, unknown>, path: string): GrammarExpr => {
    switch (t) {
      case "null":
        return literal("null");
      case "boolean":
        return alt(literal("true"), literal("false"));
      case "string":
        return compileString(o, path);
      case "integer":
      case "number":
        return compileNumber(t === "integer", o, path);
      case "array":
        return compileArray(o, path);
      case "object":
        return compileObject(o, path);
      default:
        throw new SchemaError(path, "type", `unknown type "${t}"`);
    }
  };

  const compileString = (o: Record<string, unknown>, path: string): GrammarExpr => {
    const min = count(o, "minLength", path) ?? 0;
    const max = count(o, "maxLength", path) ?? Number.POSITIVE_INFINITY;
    if (max < min)
      throw new SchemaError(path, "maxLength", `${max} is below minLength ${min}: no string fits`);
    if (o.pattern !== undefined) {
      if (typeof o.pattern !== "string") throw new SchemaError(path, "pattern", "must be a string");
      if (o.minLength !== undefined || o.maxLength !== undefined) {
        throw new SchemaError(
          path,
          "pattern",
          "pattern together with minLength/maxLength is not supported; put the length into the pattern",
        );
      }
      let parsed: ReturnType<typeof parseRegex>;
      try {
        parsed = parseRegex(o.pattern, { charset: UNESCAPED });
      } catch (err) {
        throw new SchemaError(path, "pattern", `cannot be compiled: ${(err as Error).message}`);
      }
      const any = repeat(chars(UNESCAPED), 0, Number.POSITIVE_INFINITY);
      const body = seq(
        ...(parsed.anchoredStart ? [] : [any]),
        parsed.expr,
        ...(parsed.anchoredEnd ? [] : [any]),
      );
      return seq(literal('"'), define(fresh("pattern"), body), literal('"'));
    }
    if (min === 0 && max === Number.POSITIVE_INFINITY) return stringRule();
    return seq(literal('"'), repeat(charRule(), min, max), literal('"'));
  };

  const bound = (o: Record<string, unknown>, key: string, path: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new SchemaError(
        path,
        key,
        `must be a finite number (draft-4 boolean exclusive bounds are not supported), got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };

  const compileNumber = (integer: boolean, o: Record<string, unknown>, path: string): GrammarExpr => {
    const minimum = bound(o, "minimum", path);
    const maximum = bound(o, "maximum", path);
    const exMin = bound(o, "exclusiveMinimum", path);
    const exMax = bound(o, "exclusiveMaximum", path);
    if (minimum === undefined && maximum === undefined && exMin === undefined && exMax === undefined) {
      return integer ? integerRule() : numberRule();
    }
    // The tightest lower and upper bounds, each as (value, exclusive).
    let lo = -Number.MAX_VALUE;
    let loEx = false;
    if (minimum !== undefined) lo = minimum;
    if (exMin !== undefined && exMin >= lo) {
      lo = exMin;
      loEx = true;
    }
    let hi = Number.MAX_VALUE;
    let hiEx = false;
    if (maximum !== undefined) hi = maximum;
    if (exMax !== undefined && exMax <= hi) {
      hi = exMax;
      hiEx = true;
    }
    // Narrow non-integer bounds to the integers inside them (a subset: outputs stay valid).
    if (!Number.isInteger(lo)) {
      lo = Math.ceil(lo);
      loEx = false;
    }
    if (!Number.isInteger(hi)) {
      hi = Math.floor(hi);
      hiEx = false;
    }
    lo = Math.max(lo, -MAX_MAGNITUDE);
    hi = Math.min(hi, MAX_MAGNITUDE);
    if (integer) {
      if (loEx) lo += 1;
      if (hiEx) hi -= 1;
      loEx = false;
      hiEx = false;
    }
    if (lo > hi || (lo === hi && (loEx || hiEx))) {
      throw new SchemaError(path, "minimum", "the bounds leave no value (after narrowing to integer bounds)");
    }
    const parts: GrammarExpr[] = [];
    // Non-negative values: magnitude in [max(lo, 0), hi].
    if (hi >= 0 && !(hi === 0 && hiEx)) {
      const l = Math.max(lo, 0);
      parts.push(magnitude(integer, l, lo >= 0 && loEx, hi, hiEx));
    }
    // Negative values: magnitude in [max(−hi, 0), −lo], written after a minus sign.
    if (lo < 0) {
      const mLo = hi < 0 ? -hi : 0;
      const mLoEx = hi < 0 ? hiEx : true;
      if (integer) {
        const a = Math.max(mLo + (mLoEx ? 1 : 0), 1);
        if (a <= -lo) parts.push(seq(literal("-"), integerRange(a, -lo)));
      } else {
        parts.push(seq(literal("-"), magnitude(false, mLo, mLoEx, -lo, loEx)));
      }
    }
    return alt(...parts);
  };

  /** Non-negative decimals in the interval from `a` to `b` (integers; each end inclusive unless flagged). */
  const magnitude = (integer: boolean, a: number, aEx: boolean, b: number, bEx: boolean): GrammarExpr => {
    if (integer) return integerRange(a + (aEx ? 1 : 0), b - (bEx ? 1 : 0));
    const anyFrac = repeat(seq(literal("."), digits(1, 15)), 0, 1);
    const zeroFrac = repeat(seq(literal("."), repeat(literal("0"), 1, 15)), 0, 1);
    const nonzeroFrac = seq(literal("."), digits(0, 14), chars([0x31, 0x39]));
    const parts: GrammarExpr[] = [];
    if (a === b) return seq(integerRange(a, a), zeroFrac);
    // k = a: above a needs a fraction when a is exclusive.
    parts.push(seq(integerRange(a, a), aEx ? nonzeroFrac : anyFrac));
    if (a + 1 <= b - 1) parts.push(seq(integerRange(a + 1, b - 1), anyFrac));
    if (!bEx) parts.push(seq(integerRange(b, b), zeroFrac));
    return alt(...parts);
  };

  const compileArray = (o: Record<string, unknown>, path: string): GrammarExpr => {
    if (Array.isArray(o.items))
      throw new SchemaError(path, "items", "tuple form (an array of schemas) is not supported");
    const item =
      o.items === undefined ? valueRule() : define(fresh("item"), compile(o.items, `${path}/items`));
    const min = count(o, "minItems", path) ?? 0;
    const max = count(o, "maxItems", path) ?? Number.POSITIVE_INFINITY;
    if (max < min) throw new SchemaError(path, "maxItems", `${max} is below minItems ${min}: no array fits`);
    if (max === 0) return literal("[]");
    const rest = repeat(seq(literal(","), item), Math.max(min - 1, 0), max - 1);
    const body = seq(item, rest);
    return seq(literal("["), min === 0 ? repeat(body, 0, 1) : body, literal("]"));
  };

  const compileObject = (o: Record<string, unknown>, path: string): GrammarExpr => {
    const props = o.properties;
    if (props !== undefined && (props === null || typeof props !== "object" || Array.isArray(props))) {
      throw new SchemaError(path, "properties", "must be an object of schemas");
    }
    const required = o.required ?? [];
    if (!Array.isArray(required) || !required.every((r) => typeof r === "string")) {
      throw new SchemaError(path, "required", "must be an array of property names");
    }
    const names = props === undefined ? [] : Object.keys(props as object);
    for (const r of required as string[]) {
      if (!names.includes(r)) {
        throw new SchemaError(
          path,
          "required",
          `"${r}" is required but not in properties; add a schema for it under properties`,
        );
      }
    }
    const additional = o.additionalProperties;
    if (names.length === 0) {
      if (additional === false) return literal("{}");
      const value =
        additional === undefined || additional === true
          ? valueRule()
          : compile(additional, `${path}/additionalProperties`);
      const member = seq(stringRule(), literal(":"), value);
      return seq(
        literal("{"),
        repeat(seq(member, repeat(seq(literal(","), member), 0, Number.POSITIVE_INFINITY)), 0, 1),
        literal("}"),
      );
    }
    if (additional !== undefined && typeof additional !== "boolean")
      compile(additional, `${path}/additionalProperties`); // checked, never generated
    const members = names.map((name) => ({
      required: (required as string[]).includes(name),
      expr: seq(
        literal(`${JSON.stringify(name)}:`),
        define(
          fresh("prop"),
          compile((props as Record<string, unknown>)[name], `${path}/properties/${name}`),
        ),
      ),
    }));
    // rest(i, first): members i.. in order, required ones present, each but the first emitted preceded by ",".
    const base = fresh("object");
    const restName = (i: number, first: boolean): string => `${base}-${i}${first ? "f" : "n"}`;
    const built = new Set<string>();
    const rest = (i: number, first: boolean): GrammarExpr => {
      if (i === members.length) return EMPTY;
      const name = restName(i, first);
      if (!built.has(name)) {
        built.add(name);
        const m = members[i]!;
        const present = seq(...(first ? [] : [literal(",")]), m.expr, rest(i + 1, false));
        rules.set(name, m.required ? present : alt(present, rest(i + 1, first)));
      }
      return ref(name);
    };
    return seq(literal("{"), rest(0, true), literal("}"));
  };

  rules.set("root", EMPTY);
  rules.set("root", compile(schema as Json, "#"));
  return { rules, root: "root" };
}
