import { readFileSync } from "node:fs";
import type { GrammarSource } from "@logitstream/grammar";
import { InputError, UsageError } from "./errors.js";
import type { FlagSpec, ParsedArgs } from "./flags.js";
import { str } from "./flags.js";

/** `generate`'s output constraints: at most one of them. */
export const grammarFlags: readonly FlagSpec[] = [
  {
    name: "json-schema",
    kind: "string",
    placeholder: "FILE",
    description: "print only JSON valid for this JSON Schema (compact; the prompt is not echoed)",
  },
  {
    name: "regex",
    kind: "string",
    placeholder: "RE",
    description: "the whole output matches this regular expression (JavaScript syntax)",
  },
  {
    name: "grammar",
    kind: "string",
    placeholder: "FILE",
    description: "the output is derived from this GBNF grammar (llama.cpp's format, start rule root)",
  },
];

/**
 * The grammar source the flags ask for (files read here), or undefined without any. Two of them is
 * a UsageError (exit 2); a file that cannot be read, an InputError (66); a schema file that is not
 * JSON, a SchemaError (65, bad data).
 */
export async function grammarSourceFrom(args: ParsedArgs): Promise<GrammarSource | undefined> {
  const given = grammarFlags.filter((f) => str(args, f.name) !== undefined).map((f) => `--${f.name}`);
  if (given.length > 1)
    throw new UsageError(`${given.join(" and ")}: give at most one output constraint`, given[1]);
  const schemaFile = str(args, "json-schema");
  if (schemaFile !== undefined) {
    const text = readText(schemaFile, "--json-schema");
    try {
      return { jsonSchema: JSON.parse(text) as unknown };
    } catch (err) {
      // The grammar package is loaded only when a constraint is used (it is not needed to parse flags).
      const { SchemaError } = await import("@logitstream/grammar");
      throw new SchemaError(schemaFile, "", `the file is not JSON (${(err as Error).message})`);
    }
  }
  const regex = str(args, "regex");
  if (regex !== undefined) return { regex };
  const grammarFile = str(args, "grammar");
  if (grammarFile !== undefined) return { gbnf: readText(grammarFile, "--grammar") };
  return undefined;
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(`${flag} ${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
}
