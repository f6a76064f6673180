// Public surface of @logitstream/grammar: named re-exports only.
export type { AutomatonLimits } from "./ByteAutomaton.js";
export { ByteAutomaton, DEAD } from "./ByteAutomaton.js";
export type { CompiledGrammarOptions } from "./CompiledGrammar.js";
export { CompiledGrammar } from "./CompiledGrammar.js";
export type { CompileGrammarOptions, GrammarSource } from "./compileGrammar.js";
export { compileAutomaton, compileGrammar, grammarDefinition } from "./compileGrammar.js";
export { GrammarSyntaxError, GrammarTooLargeError, SchemaError, TokenRejectedError } from "./errors.js";
export type { GrammarDefinition, GrammarExpr } from "./grammarExpr.js";
export type { GrammarStage } from "./grammarStage.js";
export { grammarStage } from "./grammarStage.js";
export { jsonSchemaToGrammar } from "./jsonSchemaToGrammar.js";
export { parseGbnf } from "./parseGbnf.js";
export { parseRegex } from "./parseRegex.js";
export { TokenTrie } from "./TokenTrie.js";
