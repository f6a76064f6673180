import { EpochSet } from "./EpochSet.js";
import { GrammarTooLargeError } from "./errors.js";
import type { FlatGrammar } from "./lowerGrammar.js";
import { CALL, END, TERM } from "./lowerGrammar.js";

/** Bounds on the automaton's lazily built state space. */
export interface AutomatonLimits {
  /** Most distinct states (default 65,536: a 64 MiB transition table at most; capped at 2^23). */
  maxStates?: number;
  /** Most stacks one state may hold (default 20,000). */
  maxStacks?: number;
}

/** State id of the dead state (no stack survives). */
export const DEAD = -1;
/** Entry of {@link ByteAutomaton.table} for a transition not computed yet. */
export const UNKNOWN = -2;

/**
 * A pushdown automaton over bytes, run the way llama.cpp runs GBNF (a set of rule stacks, each
 * topped by the terminal it expects next), with two additions that make it cheap to query billions
 * of times: stacks are hash-consed (a stack is a node `(position, parent)`; equal stacks are one id)
 * and a state — the set of live stacks, plus whether the grammar may end here — is interned too, so
 * a state is a small integer and `next(state, byte)` is a memoized table lookup after its first call.
 * For a grammar without unbounded nesting (a regex, most JSON Schemas) this lazily builds the DFA.
 *
 * Method: a call pushes its return position unless the call is the last symbol of its alternative
 * (a tail call), so `x*` written as `s ::= x s | ε` runs in constant stack depth. Expansion of
 * ε-moves keeps a visited set of (position, stack) pairs, so ε-loops such as `(a*)*` terminate;
 * left recursion is rejected when the grammar is lowered.
 * References: llama.cpp `src/llama-grammar.cpp` (`llama_grammar_advance_stack`,
 * `llama_grammar_accept`); hash-consing as in Filliâtre & Conchon 2006.
 */
export class ByteAutomaton {
  readonly grammar: FlatGrammar;
  /** The start state. */
  readonly start: number;
  private readonly maxStates: number;
  private readonly maxStacks: number;
  // Stack nodes: node 0 is the empty stack (the root rule's caller); others are (pos, parent).
  private nodePos = new Int32Array(1024);
  private nodeParent = new Int32Array(1024);
  private nodeCount = 1;
  private readonly nodeIds = new Map<number, number>();
  // States: sorted top nodes (each topped by a TERM position) and the accept flag.
  private readonly stateTops: Int32Array[] = [];
  private readonly stateAccepts: boolean[] = [];
  private readonly stateIds = new Map<string, number>();
  /**
   * Memoized transitions, 256 per state: `table[state * 256 + byte]` is the next state, DEAD, or
   * UNKNOWN (call {@link ByteAutomaton.next}). Reallocated as states are added: re-read after `next`.
   */
  table: Int32Array = new Int32Array(256 * 64).fill(UNKNOWN);
  /** Bytes no byte set of the grammar tells apart, as lists: a transition is computed once per class. */
  private readonly classMembers: Uint8Array[];
  private readonly classOf: Uint8Array;
  // Scratch for expansion.
  private readonly work: number[] = [];
  // Scratch sets cleared once per computed transition: EpochSet, whose clear is O(1).
  private readonly visited = new EpochSet();
  private readonly topSet = new EpochSet();
  private readonly tops: number[] = [];
  private accepting = false;

  constructor(grammar: FlatGrammar, limits: AutomatonLimits = {}) {
    this.grammar = grammar;
    // The transition table holds 256 ints per state, indexed by state << 8: at most 2^23 states.
    this.maxStates = Math.min(limits.maxStates ?? 65_536, 1 << 23);
    this.maxStacks = limits.maxStacks ?? 20_000;
    this.nodePos[0] = -1;
    [this.classOf, this.classMembers] = byteClasses(grammar.byteSets);
    this.begin();
    this.callRule(grammar.root, 0);
    this.start = this.finish();
  }

  /** Number of states built so far. */
  get stateCount(): number {
    return this.stateTops.length;
  }

  /**
   * The state after `byte` from `state`, or {@link DEAD}.
   * @param state - A state id (not DEAD).
   * @param byte - 0..255.
   * @returns The next state id or DEAD.
   */
  next(state: number, byte: number): number {
    const t = this.table[state * 256 + byte]!;
    if (t !== UNKNOWN) return t;
    const computed = this.step(state, byte);
    // step() may have grown the table; every byte of the same class moves the same way.
    const table = this.table;
    const base = state * 256;
    const members = this.classMembers[this.classOf[byte]!]!;
    for (let i = 0; i < members.length; i++) table[base + members[i]!] = computed;
    return computed;
  }

  /**
   * The state after all of `bytes`, or DEAD.
   * @param state - Start state.
   * @param bytes - Input bytes.
   * @returns The state id or DEAD.
   */
  walk(state: number, bytes: Uint8Array): number {
    let s = state;
    for (let i = 0; i < bytes.length && s !== DEAD; i++) s = this.next(s, bytes[i]!);
    return s;
  }

  /** Whether the grammar may end in `state` (the output so far is a complete match). */
  accepts(state: number): boolean {
    return this.stateAccepts[state] === true;
  }

  /** Whether some byte continues from `state` (false: the match is complete and nothing may follow). */
  canContinue(state: number): boolean {
    return this.stateTops[state]!.length > 0;
  }

  /**
   * Whether `byte` may follow in `state` without building the next state.
   * @param state - A state id.
   * @param byte - 0..255.
   * @returns True when some stack's expected byte set holds it.
   */
  allowsByte(state: number, byte: number): boolean {
    const tops = this.stateTops[state]!;
    const g = this.grammar;
    for (let i = 0; i < tops.length; i++) {
      const set = g.arg[this.nodePos[tops[i]!]!]!;
      if ((g.byteSets[set * 8 + (byte >> 5)]! >>> (byte & 31)) & 1) return true;
    }
    return false;
  }

  private step(state: number, byte: number): number {
    const g = this.grammar;
    const tops = this.stateTops[state]!;
    const word = byte >> 5;
    const bit = byte & 31;
    this.begin();
    for (let i = 0; i < tops.length; i++) {
      const node = tops[i]!;
      const pos = this.nodePos[node]!;
      if ((g.byteSets[g.arg[pos]! * 8 + word]! >>> bit) & 1) this.expand(pos + 1, this.nodeParent[node]!);
    }
    return this.finish();
  }

  private begin(): void {
    this.visited.clear();
    this.topSet.clear();
    this.tops.length = 0;
    this.accepting = false;
  }

  /** Queues every alternative of rule `r` called with continuation stack `parent`, then expands. */
  private callRule(r: number, parent: number): void {
    const g = this.grammar;
    for (let a = g.ruleAlts[r]!; a < g.ruleAlts[r + 1]!; a++) this.expand(g.altStarts[a]!, parent);
  }

  /**
   * Closes over ε-moves from position `pos` with stack `parent`: every TERM position reached becomes a
   * top; reaching the end of the root sets the accept flag.
   */
  private expand(pos0: number, parent0: number): void {
    const g = this.grammar;
    const kind = g.kind;
    const work = this.work;
    work.push(pos0, parent0);
    const nPos = kind.length;
    while (work.length > 0) {
      const parent = work.pop()!;
      const pos = work.pop()!;
      const key = parent * nPos + pos;
      if (!this.visited.add(key)) continue;
      if (this.visited.size > this.maxStacks * 4) {
        work.length = 0;
        throw new GrammarTooLargeError(
          `maxStacks = ${this.maxStacks}`,
          "one step of the grammar explores too many rule stacks (a highly ambiguous grammar)",
        );
      }
      const k = kind[pos]!;
      if (k === TERM) {
        const top = this.node(pos, parent);
        if (this.topSet.add(top)) this.tops.push(top);
      } else if (k === END) {
        if (parent === 0) this.accepting = true;
        else work.push(this.nodePos[parent]!, this.nodeParent[parent]!);
      } else if (k === CALL) {
        const ret = pos + 1;
        const cont = kind[ret] === END ? parent : this.node(ret, parent);
        const r = g.arg[pos]!;
        for (let a = g.ruleAlts[r + 1]! - 1; a >= g.ruleAlts[r]!; a--) work.push(g.altStarts[a]!, cont);
      }
    }
  }

  private node(pos: number, parent: number): number {
    const key = parent * this.grammar.kind.length + pos;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.nodeCount++;
      if (id >= this.nodePos.length) {
        const np = new Int32Array(id * 2);
        np.set(this.nodePos);
        this.nodePos = np;
        const pp = new Int32Array(id * 2);
        pp.set(this.nodeParent);
        this.nodeParent = pp;
      }
      this.nodePos[id] = pos;
      this.nodeParent[id] = parent;
      this.nodeIds.set(key, id);
    }
    return id;
  }

  private finish(): number {
    if (this.tops.length === 0 && !this.accepting) return DEAD;
    if (this.tops.length > this.maxStacks) {
      throw new GrammarTooLargeError(
        `maxStacks = ${this.maxStacks}`,
        `a state of the grammar holds ${this.tops.length} alternative rule stacks`,
      );
    }
    const tops = Int32Array.from(this.tops).sort();
    const key = `${this.accepting ? "+" : "-"}${tops.join(",")}`;
    let id = this.stateIds.get(key);
    if (id === undefined) {
      id = this.stateTops.length;
      if (id >= this.maxStates) {
        throw new GrammarTooLargeError(
          `maxStates = ${this.maxStates}`,
          "the grammar needs too many automaton states (e.g. a regex like (a|b)*a(a|b){30}, whose DFA is exponential)",
        );
      }
      this.stateIds.set(key, id);
      if ((id + 1) * 256 > this.table.length) {
        const grown = new Int32Array(this.table.length * 2).fill(UNKNOWN);
        grown.set(this.table);
        this.table = grown;
      }
      this.stateTops.push(tops);
      this.stateAccepts.push(this.accepting);
    }
    return id;
  }
}

/**
 * Partitions the 256 byte values into classes of bytes that belong to exactly the same byte sets
 * (the alphabet compression of lexer generators): a JSON grammar has a few dozen classes, so a state's
 * 256 transitions cost a few dozen expansions.
 */
function byteClasses(sets: Uint32Array): [Uint8Array, Uint8Array[]] {
  const nSets = sets.length / 8;
  const classOf = new Uint8Array(256);
  const ids = new Map<string, number>();
  const members: number[][] = [];
  const sig: number[] = [];
  for (let b = 0; b < 256; b++) {
    sig.length = 0;
    for (let s = 0; s < nSets; s++) if ((sets[s * 8 + (b >> 5)]! >>> (b & 31)) & 1) sig.push(s);
    const key = sig.join(",");
    let c = ids.get(key);
    if (c === undefined) {
      c = members.length;
      ids.set(key, c);
      members.push([]);
    }
    classOf[b] = c;
    members[c]!.push(b);
  }
  return [classOf, members.map((m) => Uint8Array.from(m))];
}
