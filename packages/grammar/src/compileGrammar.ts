import type { Tokenizer } from "@logitstream/core";
import type { AutomatonLimits } from "./ByteAutomaton.js";
import { ByteAutomaton } from "./ByteAutomaton.js";
import { CompiledGrammar } from "./CompiledGrammar.js";
import { GrammarSyntaxError } from "./errors.js";
import type { GrammarDefinition } from "./grammarExpr.js";
import { jsonSchemaToGrammar } from "./jsonSchemaToGrammar.js";
import type { LowerLimits } from "./lowerGrammar.js";
import { lowerGrammar } from "./lowerGrammar.js";
import { parseGbnf } from "./parseGbnf.js";
import { parseRegex } from "./parseRegex.js";
import { TokenTrie } from "./TokenTrie.js";

/** What to constrain the output to: exactly one of a JSON Schema, a regular expression or a GBNF grammar. */
export type GrammarSource =
  | { readonly jsonSchema: unknown }
  | { readonly regex: string }
  | { readonly gbnf: string; readonly root?: string };

/** Options of {@link compileGrammar}. */
export interface CompileGrammarOptions extends LowerLimits, AutomatonLimits {
  /** End-of-sequence token id: allowed exactly where the grammar may end. */
  eosId?: number;
  /** Token ids never allowed (special tokens such as `<|fim_prefix|>`); tokens with no bytes never are. */
  exclude?: Iterable<number>;
  /**
   * Token masks to build at compile time, breadth first from the start state (default 0: each mask
   * is built the first time generation reaches its state, then cached). A grammar without unbounded
   * nesting has finitely many states: a large value builds every mask a generation can need before
   * it starts (see the package README for the cost).
   */
  precompute?: number;
  /**
   * Bound on the bytes of cached token masks (default 256 MiB). Past it the least recently used masks
   * are evicted, one at a time, until the new one fits; a bound below one mask caches nothing.
   */
  maxCacheBytes?: number;
}

/**
 * Parses a grammar source into the common grammar form (no vocabulary involved).
 * @param source - `{ jsonSchema }`, `{ regex }` or `{ gbnf, root? }`.
 * @returns The definition.
 * @example
 * ```ts
 * grammarDefinition({ regex: "[0-9]+" }).root; // "root"
 * ```
 */
export function grammarDefinition(source: GrammarSource): GrammarDefinition {
  if ("jsonSchema" in source) return jsonSchemaToGrammar(source.jsonSchema);
  if ("regex" in source) {
    // Full match: anchors are implied (and accepted when written).
    const { expr } = parseRegex(source.regex);
    return { rules: new Map([["root", expr]]), root: "root" };
  }
  if ("gbnf" in source) return parseGbnf(source.gbnf, source.root);
  throw new GrammarSyntaxError("grammar", 0, "expected one of { jsonSchema }, { regex }, { gbnf }");
}

/**
 * Compiles a grammar source to its byte automaton alone (for matching byte strings, tests, tools).
 * @param source - The grammar.
 * @param options - Size limits.
 * @returns The automaton; `walk(start, bytes)` then `accepts(state)` tells whether `bytes` match.
 * @example
 * ```ts
 * const a = compileAutomaton({ regex: "a+" });
 * a.accepts(a.walk(a.start, new TextEncoder().encode("aaa"))); // true
 * ```
 */
export function compileAutomaton(
  source: GrammarSource,
  options: LowerLimits & AutomatonLimits = {},
): ByteAutomaton {
  return new ByteAutomaton(lowerGrammar(grammarDefinition(source), options), options);
}

const tries = new WeakMap<object, Map<string, TokenTrie>>();

/**
 * Compiles a grammar against a tokenizer's vocabulary: the result masks tokens per automaton state
 * and is what {@link grammarStage} runs. The vocabulary trie is built once per tokenizer (and set of
 * excluded ids) and shared; reuse the result across generations — its mask cache is the speed.
 *
 * @param source - `{ jsonSchema }`, `{ regex }` (full match, JavaScript syntax) or `{ gbnf, root? }`.
 * @param tokenizer - The vocabulary (`vocabSize`, `tokenBytes`).
 * @param options - EOS id, excluded ids, size limits, how many masks to precompute.
 * @returns The compiled grammar.
 * @example
 * ```ts
 * const g = compileGrammar({ jsonSchema: { type: "boolean" } }, tokenizer, { eosId: 100257 });
 * const stage = grammarStage(g);
 * ```
 */
export function compileGrammar(
  source: GrammarSource,
  tokenizer: Pick<Tokenizer, "vocabSize" | "tokenBytes">,
  options: CompileGrammarOptions = {},
): CompiledGrammar {
  const automaton = compileAutomaton(source, options);
  const exclude = new Set(options.exclude ?? []);
  if (options.eosId !== undefined) exclude.add(options.eosId);
  const key = [...exclude].sort((a, b) => a - b).join(",");
  let perTokenizer = tries.get(tokenizer);
  if (perTokenizer === undefined) {
    perTokenizer = new Map();
    tries.set(tokenizer, perTokenizer);
  }
  let trie = perTokenizer.get(key);
  if (trie === undefined) {
    trie = new TokenTrie(tokenizer, exclude);
    perTokenizer.set(key, trie);
  }
  const compiled = new CompiledGrammar(automaton, trie, {
    ...(options.eosId === undefined ? {} : { eosId: options.eosId }),
    ...(options.maxCacheBytes === undefined ? {} : { maxCacheBytes: options.maxCacheBytes }),
  });
  const budget = options.precompute ?? 0;
  if (budget > 0) compiled.precompute(budget);
  return compiled;
}
