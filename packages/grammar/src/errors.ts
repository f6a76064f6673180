/**
 * Typed errors of @logitstream/grammar. Each names what is wrong, where (byte offset in the source,
 * JSON pointer in a schema, token id) and what to do, with a stable `code`.
 */
import { LogitstreamError } from "@logitstream/core";

/** A regular expression or GBNF grammar that does not parse, or refers to a rule it never defines. */
export class GrammarSyntaxError extends LogitstreamError {
  /** `"regex"` or `"gbnf"`. */
  readonly language: string;
  /** Character offset in the source text where the problem was found. */
  readonly offset: number;
  constructor(language: string, offset: number, problem: string, options?: { cause?: unknown }) {
    super("E_GRAMMAR_SYNTAX", `${language} at offset ${offset}: ${problem}`, options);
    this.language = language;
    this.offset = offset;
  }
}

/** A JSON Schema keyword (or keyword value) this compiler does not support, or a malformed schema. */
export class SchemaError extends LogitstreamError {
  /** JSON pointer of the schema object holding the keyword, e.g. `#/properties/age`. */
  readonly path: string;
  /** The offending keyword (empty when the schema as a whole is malformed). */
  readonly keyword: string;
  constructor(path: string, keyword: string, problem: string) {
    super(
      keyword === "" ? "E_SCHEMA_INVALID" : "E_SCHEMA_UNSUPPORTED",
      `JSON Schema at ${path}${keyword === "" ? "" : `, keyword "${keyword}"`}: ${problem}`,
    );
    this.path = path;
    this.keyword = keyword;
  }
}

/**
 * A grammar whose compiled form would exceed a bound (rules, automaton states, stacks per state):
 * a large repetition count, a pathological regular expression, an ambiguous grammar.
 */
export class GrammarTooLargeError extends LogitstreamError {
  /** The bound that was hit, e.g. `"maxElements"`. */
  readonly limit: string;
  constructor(limit: string, problem: string) {
    super(
      "E_GRAMMAR_TOO_LARGE",
      `${problem} (limit ${limit}). Simplify the grammar: smaller repetition counts, fewer overlapping alternatives, or raise the limit in the compile options.`,
    );
    this.limit = limit;
  }
}

/** A token the grammar does not allow at this point was fed to a grammar stage (`accept`). */
export class TokenRejectedError extends LogitstreamError {
  readonly token: number;
  /** Tokens accepted before it. */
  readonly position: number;
  constructor(token: number, position: number, why: string) {
    super(
      "E_TOKEN_REJECTED",
      `grammar: token ${token} at position ${position} ${why}. Apply the grammar stage before sampling (it masks such tokens) or reset it.`,
    );
    this.token = token;
    this.position = position;
  }
}
