import type { Candidates, SamplerStage, SamplingContext } from "@logitstream/core";
import { EmptyCandidatesError } from "@logitstream/core";
import { DEAD } from "./ByteAutomaton.js";
import type { CompiledGrammar } from "./CompiledGrammar.js";
import { TokenRejectedError } from "./errors.js";

/** A sampler stage that constrains output to a grammar, with its position in the grammar exposed. */
export interface GrammarStage extends SamplerStage {
  readonly name: "grammar";
  /** The compiled grammar (shared by clones: its mask cache is reused). */
  readonly grammar: CompiledGrammar;
  /** Whether the output so far is a complete match (EOS is allowed now). */
  canEnd(): boolean;
  /** Whether the match is complete and no byte may follow: only EOS is left. */
  isComplete(): boolean;
  /** How many tokens were accepted since the start or the last reset. */
  readonly position: number;
  /** The automaton state the next token continues from (`grammar.mask(state)` is what `apply` keeps). */
  readonly state: number;
  clone(): GrammarStage;
}

/**
 * The grammar as a sampler stage: `apply` removes from the candidates every token whose bytes cannot
 * continue a valid output (and EOS where the grammar cannot end yet); `accept` advances on the chosen
 * token. Put it first in the chain, so later filters (top-k, top-p) choose among allowed tokens only.
 *
 * The removal keeps the candidates' order (ids ascending or sorted by logit), so the chain's
 * invariants hold; on a freshly loaded row it gathers the allowed ids straight from the mask.
 *
 * @param grammar - A grammar compiled against the sampler's vocabulary.
 * @returns A stage named `"grammar"`.
 * @example
 * ```ts
 * const stage = grammarStage(compileGrammar({ regex: "yes|no" }, tokenizer, { eosId }));
 * stage.apply(candidates, ctx); // only "y…", "n…" tokens are left
 * stage.accept(token);
 * ```
 */
export function grammarStage(grammar: CompiledGrammar): GrammarStage {
  return makeStage(grammar, grammar.start, []);
}

/** What a grammar stage saves in a sampler's state: the tokens it accepted, replayed on load. */
interface SavedGrammarState {
  tokens: number[];
}

function makeStage(grammar: CompiledGrammar, state0: number, accepted0: readonly number[]): GrammarStage {
  let state = state0;
  const accepted = accepted0.slice();
  let position = accepted.length;
  const eos = grammar.eosId;
  const a = grammar.automaton;
  return {
    name: "grammar",
    grammar,
    get position() {
      return position;
    },
    get state() {
      return state;
    },
    apply(c: Candidates, ctx: SamplingContext): void {
      const bits = grammar.mask(state);
      const ids = c.ids;
      const logits = c.logits;
      const n = c.size;
      let j = 0;
      if (c.pristine && !c.sorted && n === ctx.vocab && n === grammar.vocabSize) {
        // ids are 0..V−1 in order: visit the set bits only (j ≤ id, so the compaction is in place).
        const words = bits.length;
        for (let w = 0; w < words; w++) {
          let word = bits[w]!;
          while (word !== 0) {
            const low = word & -word;
            const id = (w << 5) | (31 - Math.clz32(low));
            word ^= low;
            ids[j] = id;
            logits[j] = logits[id]!;
            j++;
          }
        }
      } else {
        const probs = c.probs;
        const keepProbs = c.probsValid;
        for (let i = 0; i < n; i++) {
          const id = ids[i]!;
          if ((bits[id >>> 5]! >>> (id & 31)) & 1) {
            ids[j] = id;
            logits[j] = logits[i]!;
            if (keepProbs) probs[j] = probs[i]!;
            j++;
          }
        }
      }
      if (j === n) return;
      if (j === 0) throw new EmptyCandidatesError(ctx.row, "grammar");
      c.size = j;
      c.pristine = false;
      c.rawSum = Number.NaN;
      c.max = c.sorted ? logits[0]! : Number.NaN;
      if (c.probsValid) {
        // Probabilities stay exp(logit − max) for the old max; only max changes when unsorted, so recompute.
        c.probsValid = false;
      }
    },
    accept(token: number): void {
      if (state === DEAD) throw new TokenRejectedError(token, position, "follows a rejected token");
      const next = grammar.advance(state, token);
      if (next === DEAD) {
        throw new TokenRejectedError(
          token,
          position,
          token === eos ? "is EOS, but the grammar cannot end here" : "cannot continue a valid output",
        );
      }
      state = next;
      position++;
      accepted.push(token);
    },
    reset(): void {
      state = grammar.start;
      position = 0;
      accepted.length = 0;
    },
    // An automaton state is an id local to this process's compiled grammar; the tokens are portable.
    saveState(): SavedGrammarState {
      return { tokens: accepted.slice() };
    },
    loadState(saved: unknown): void {
      const tokens = (saved as SavedGrammarState | null)?.tokens;
      if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) {
        throw new TokenRejectedError(-1, 0, "is missing: a saved grammar state is { tokens: number[] }");
      }
      this.reset!();
      for (const t of tokens) this.accept!(t);
    },
    canEnd(): boolean {
      return a.accepts(state);
    },
    isComplete(): boolean {
      return a.accepts(state) && !a.canContinue(state);
    },
    clone(): GrammarStage {
      return makeStage(grammar, state, accepted);
    },
  };
}
