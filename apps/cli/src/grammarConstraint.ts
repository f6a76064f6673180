import type { Tokenizer } from "@logitstream/core";
import { LogitstreamError } from "@logitstream/core";
import type { GrammarSource, GrammarStage } from "@logitstream/grammar";
import { compileGrammar, grammarStage } from "@logitstream/grammar";

/**
 * Compiles a grammar for the model's vocabulary and returns its sampler stage. Special tokens
 * (`<|…|>`, whose bytes are their literal text) are never allowed as text; EOS is allowed where the
 * grammar may end.
 */
export function grammarConstraint(
  source: GrammarSource,
  tokenizer: Tokenizer,
  eosId: number | undefined,
): GrammarStage {
  const exclude: number[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const b = tokenizer.tokenBytes(id);
    // "<|" … "|>"
    if (
      b.length > 4 &&
      b[0] === 0x3c &&
      b[1] === 0x7c &&
      b[b.length - 2] === 0x7c &&
      b[b.length - 1] === 0x3e
    ) {
      if (id !== eosId) exclude.push(id);
    }
  }
  const options = eosId === undefined ? { exclude } : { exclude, eosId };
  return grammarStage(compileGrammar(source, tokenizer, options));
}

/** The run stopped at --max-tokens before the grammar's match was complete: the output is cut. */
export class GrammarIncompleteError extends LogitstreamError {
  constructor(maxTokens: number) {
    super(
      "E_GRAMMAR_INCOMPLETE",
      `the output ended before the grammar was complete (at --max-tokens ${maxTokens} or a --stop text), so it is cut short; raise --max-tokens or bound the lengths in the schema or grammar`,
    );
  }
}
