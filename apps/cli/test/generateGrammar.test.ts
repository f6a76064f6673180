import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const PERSON = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 32 },
    age: { type: "integer", minimum: 0, maximum: 120 },
    city: { type: "string", maxLength: 24 },
    languages: { type: "array", items: { enum: ["English", "French", "Spanish", "German"] }, maxItems: 3 },
  },
  required: ["name", "age"],
  additionalProperties: false,
};
const dir = mkdtempSync(join(tmpdir(), "logitstream-grammar-"));
const person = join(dir, "person.json");
writeFileSync(person, JSON.stringify(PERSON));
const list = join(dir, "list.gbnf");
writeFileSync(list, 'root ::= ("- " [a-z ]{1,20} "\\n"){1,3}\n');

describe("logitstream generate with an output constraint", () => {
  it("--json-schema prints valid JSON for the schema (and only that), for every seed", async () => {
    const validate = new Ajv().compile(PERSON);
    const runs = await Promise.all(
      ["1", "2", "3"].map((seed) =>
        runCli(["generate", "A person:", "--json-schema", person, "--seed", seed]),
      ),
    );
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const value = JSON.parse(r.stdout.toString());
      expect(validate(value), r.stdout.toString()).toBe(true);
    }
  });

  it("--regex output fully matches the regular expression; --grammar output is derived from the grammar", async () => {
    const r = await runCli(["generate", "Is it?", "--regex", "(yes|no), [a-z ]{3,20}\\.", "--seed", "2"]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^(yes|no), [a-z ]{3,20}\.\n$/);
    const g = await runCli(["generate", "Shopping:", "--grammar", list, "--seed", "5"]);
    expect(g.code).toBe(0);
    expect(g.stdout.toString()).toMatch(/^(- [a-z ]{1,20}\n){1,3}$/);
  });

  it("reports bad constraints: two at once (2), a missing file (66), a bad schema or regex (65), a cut output (65)", async () => {
    const two = await runCli(["generate", "--json-schema", person, "--regex", "a"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--json-schema and --regex: give at most one/);
    const missing = await runCli(["generate", "--json-schema", join(dir, "nope.json")]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/nope\.json: cannot read/);
    const badSchema = join(dir, "bad.json");
    writeFileSync(badSchema, JSON.stringify({ type: "string", format: "email" }));
    const bad = await runCli(["generate", "--json-schema", badSchema]);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/keyword "format": is not supported/);
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{type: string}");
    expect((await runCli(["generate", "--json-schema", notJson])).code).toBe(65);
    const regex = await runCli(["generate", "--regex", "(a"]);
    expect(regex.code).toBe(65);
    expect(regex.stderr).toMatch(/regex at offset 0: missing '\)'/);
    const cut = await runCli(["generate", "--json-schema", person, "--max-tokens", "2"]);
    expect(cut.code).toBe(65);
    expect(cut.stderr).toMatch(/before the grammar was complete/);
    expect(cut.stdout.toString().startsWith('{"')).toBe(true);
  });
});
