import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAutomaton } from "../src/compileGrammar.js";
import { SchemaError } from "../src/errors.js";
import { SCHEMAS } from "./fixtures/schemas.js";
import { matches } from "./helpers.js";

const ajv = new Ajv({ strict: false });
const EXTRA: Record<string, object> = {
  stringMap: { type: "object", additionalProperties: { type: "integer", minimum: 0, maximum: 3 } },
  unanchoredPattern: { type: "string", pattern: "ab" },
};

// Hand-picked texts per schema: [text, accepted by the grammar]. Every accepted text must also
// validate with ajv (checked below); rejected ones are either invalid or outside the compact form.
const TABLE: Record<string, [string, boolean][]> = {
  person: [
    ['{"name":"Ann","age":41}', true],
    ['{"name":"Ann","age":41,"email":"ann@x.org"}', true],
    ['{"name":"","age":41}', false],
    ['{"name":"Ann","age":151}', false],
    ['{"age":41,"name":"Ann"}', false],
    ['{"name":"Ann","age":41,"email":"ANN@x.org"}', false],
    ['{"name":"Ann"}', false],
    ['{"name": "Ann","age":41}', false],
  ],
  boundedInt: [
    ["-40", true],
    ["999", true],
    ["1000", false],
    ["-41", false],
    ["0", true],
    ["-0", false],
    ["07", false],
  ],
  boundedNumber: [
    ["-1", true],
    ["-1.0", true],
    ["-1.5", false], // bounds are narrowed to the integers inside them: -1.5 → -1
    ["12", true],
    ["12.0", true],
    ["12.01", false],
    ["11.999", true],
    ["-0.75", true],
    ["1e3", false],
  ],
  exclusiveNumber: [
    ["0.5", true],
    ["0", false],
    ["0.0", false],
    ["0.001", true],
    ["1", false],
    ["-0.5", false],
  ],
  plainNumber: [
    ["-12.5e-3", true],
    ["1E+99", true],
    ["1e100", false],
    ["0.", false],
    [".5", false],
  ],
  shortString: [
    ['""', true],
    ['"12345678"', true],
    ['"123456789"', false],
    ['"é€🎉"', true],
    ['"\\n\\u00e9\\""', true],
    ['"\\ud83c\\udf89"', false],
    ['"a\nb"', false],
  ],
  patternString: [
    ['"AB-123"', true],
    ['"AB-12"', false],
    ['"ab-123"', false],
  ],
  patternAlternatives: [
    ['"northeast-7"', true],
    ['"south-120"', true],
    ['"north-1234"', false],
    ['"east-1"', false],
  ],
  unanchoredPattern: [
    ['"xxabyy"', true],
    ['"ab"', true],
    ['"a b"', false],
  ],
  arrayOfInts: [
    ["[1,2]", true],
    ["[1,2,3,4,5]", true],
    ["[1]", false],
    ["[1,2,3,4,5,6]", false],
    ["[1,10]", false],
  ],
  optionalOnly: [
    ["{}", true],
    ['{"b":true}', true],
    ['{"a":0,"c":null}', true],
    ['{,"b":true}', false],
    ['{"a":1,}', false],
  ],
  oneOfDisjoint: [
    ['{"kind":"circle","r":2.5}', true],
    ['{"kind":"square","side":3}', true],
    ['{"kind":"square","r":3}', false],
  ],
  refs: [
    ['{"from":{"x":1,"y":-2},"to":{"x":0,"y":9}}', true],
    ['{"from":{"x":1,"y":-20},"to":{"x":0,"y":9}}', false],
  ],
  listOfWords: [
    ['["a","bcdefg"]', true],
    ["[]", false],
    ['[""]', false],
  ],
  stringMap: [
    ["{}", true],
    ['{"a":1,"bé":3}', true],
    ['{"a":4}', false],
  ],
  enumMixed: [
    ['"red"', true],
    ["3", true],
    ['{"a":[1]}', true],
    ['"blue"', false],
  ],
  constant: [
    ['{"version":2,"tags":["x"]}', true],
    ['{"version":3,"tags":["x"]}', false],
  ],
};

describe("jsonSchemaToGrammar", () => {
  for (const [name, rows] of Object.entries(TABLE)) {
    it(`${name}: accepts exactly the listed texts, and every accepted text validates`, () => {
      const schema = SCHEMAS[name] ?? EXTRA[name]!;
      const a = compileAutomaton({ jsonSchema: schema });
      const validate = ajv.compile(schema);
      for (const [text, ok] of rows) {
        expect(matches(a, text), text).toBe(ok);
        if (ok) expect(validate(JSON.parse(text)), text).toBe(true);
      }
    });
  }

  it("accepts only valid JSON: random values that the grammar accepts always validate", () => {
    for (const name of ["anyOf", "nullable", "arrayOfEnums", "stringMap", "optionalOnly"]) {
      const schema = SCHEMAS[name] ?? EXTRA[name]!;
      const a = compileAutomaton({ jsonSchema: schema });
      const validate = ajv.compile(schema);
      let accepted = 0;
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 2 }), (v) => {
          const text = JSON.stringify(v);
          if (matches(a, text)) {
            accepted++;
            expect(validate(JSON.parse(text)), text).toBe(true);
          }
        }),
        { numRuns: 500, seed: 42 },
      );
      expect(accepted, name).toBeGreaterThan(0);
    }
  });

  it("names the unsupported keyword and where it is", () => {
    const cases: [unknown, string, string][] = [
      [{ type: "string", format: "email" }, "format", "#"],
      [
        { type: "object", properties: { a: { type: "array", uniqueItems: true } } },
        "uniqueItems",
        "#/properties/a",
      ],
      [{ allOf: [{ type: "string" }] }, "allOf", "#"],
      [{ type: "number", multipleOf: 2 }, "multipleOf", "#"],
      [{ type: "object", patternProperties: {} }, "patternProperties", "#"],
      [{ type: "array", items: [{ type: "string" }] }, "items", "#"],
      [{ $ref: "https://example.com/s.json" }, "$ref", "#"],
      [{ $ref: "#/$defs/missing" }, "$ref", "#"],
      [{ type: "string", pattern: "(a" }, "pattern", "#"],
      [{ type: "object", required: ["x"] }, "required", "#"],
      [{ type: "integer", minimum: 5, maximum: 4 }, "minimum", "#"],
      [{ type: "strin" }, "type", "#"],
      [{ type: "string", maxLength: 1e9 }, "maxLength", "#"],
    ];
    for (const [schema, keyword, path] of cases) {
      let err: unknown;
      try {
        compileAutomaton({ jsonSchema: schema });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(schema)).toBeInstanceOf(SchemaError);
      expect((err as SchemaError).keyword, JSON.stringify(schema)).toBe(keyword);
      expect((err as SchemaError).path, JSON.stringify(schema)).toBe(path);
      expect((err as SchemaError).message).toContain(keyword);
    }
    expect(() => compileAutomaton({ jsonSchema: false })).toThrow(SchemaError);
    expect(() => compileAutomaton({ jsonSchema: 7 })).toThrow(/must be an object or a boolean/);
  });

  it("compiles recursive $refs (a tree of nodes)", () => {
    const schema = {
      $defs: {
        node: {
          type: "object",
          properties: {
            v: { type: "integer", minimum: 0, maximum: 9 },
            kids: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 2 },
          },
          required: ["v"],
        },
      },
      $ref: "#/$defs/node",
    };
    const a = compileAutomaton({ jsonSchema: schema });
    expect(matches(a, '{"v":1,"kids":[{"v":2,"kids":[{"v":3}]},{"v":4}]}')).toBe(true);
    expect(matches(a, '{"v":1,"kids":[{"v":2,"kids":[{"v":31}]}]}')).toBe(false);
  });
});
