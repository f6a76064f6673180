import type { ByteAutomaton } from "./ByteAutomaton.js";
import { DEAD, UNKNOWN } from "./ByteAutomaton.js";
import type { TokenTrie } from "./TokenTrie.js";
import { MORE_TOKENS } from "./TokenTrie.js";

/** Options of {@link CompiledGrammar}. */
export interface CompiledGrammarOptions {
  /** End-of-sequence token: allowed exactly where the grammar may end. */
  eosId?: number;
  /**
   * Bound on the bytes of cached masks (default 256 MiB; a mask is ⌈V / 32⌉ × 4 bytes, 12.5 KiB at
   * V = 100,277). Past it the least recently used masks are evicted; 0 caches nothing.
   */
  maxCacheBytes?: number;
}

/**
 * A grammar's byte automaton bound to one vocabulary: for every automaton state, the set of tokens
 * whose bytes keep the output a prefix of some match (the token mask), cached per state.
 *
 * A state is a whole set of rule stacks (context included), so a state's mask is exact and reusable
 * whenever generation comes back to that state; for a grammar without unbounded nesting (regexes,
 * JSON Schemas without recursive `$ref`) the states are finite and {@link CompiledGrammar.precompute}
 * can build every mask a generation can need before it starts. A mask is computed by one walk of
 * the vocabulary trie against the automaton, skipping the subtree of every rejected prefix.
 *
 * Method: xgrammar's adaptive token-mask cache (Dong et al. 2024) keys masks by grammar position and
 * re-checks context-dependent tokens per step; keying by the full hash-consed state instead makes
 * every token context-independent, at the price of one walk per new state.
 */
export class CompiledGrammar {
  readonly automaton: ByteAutomaton;
  readonly trie: TokenTrie;
  readonly vocabSize: number;
  readonly eosId: number;
  private readonly words: number;
  private readonly maxCacheBytes: number;
  /**
   * The mask cache in least-recently-used order: a Map iterates in insertion order, so re-inserting a
   * state on every hit keeps the oldest use first, and eviction takes the first keys — O(1) per access.
   */
  private readonly masks = new Map<number, Uint32Array>();
  /** The state whose mask was used last: repeated use needs no re-insertion (apply after a peek). */
  private lastUsed = DEAD;
  private cacheBytes = 0;
  private stateAt: Int32Array;
  /** The walk's bitset: the mask's words plus one for the bit of nodes no token ends at. */
  private readonly scratch: Uint32Array;
  private seen = new Uint8Array(1024);

  constructor(automaton: ByteAutomaton, trie: TokenTrie, options: CompiledGrammarOptions = {}) {
    this.automaton = automaton;
    this.trie = trie;
    this.vocabSize = trie.vocabSize;
    this.eosId = options.eosId ?? -1;
    this.words = (this.vocabSize + 31) >>> 5;
    this.maxCacheBytes = options.maxCacheBytes ?? 256 * 1024 * 1024;
    this.stateAt = new Int32Array(trie.maxDepth + 1);
    this.scratch = new Uint32Array(this.words + 1);
  }

  /** The automaton's start state. */
  get start(): number {
    return this.automaton.start;
  }

  /**
   * The allowed tokens in `state` as a bitset over ids (bit `id & 31` of word `id >>> 5`): every token
   * whose bytes lead to a live state, plus EOS when the grammar may end here. Cached (this counts as
   * a use for the least-recently-used eviction); do not modify. An evicted mask is dropped, never
   * reused, so a returned mask stays valid.
   * @param state - A live state.
   * @returns The mask.
   */
  mask(state: number): Uint32Array {
    const cached = this.masks.get(state);
    if (cached === undefined) return this.computeMask(state, null);
    if (state !== this.lastUsed) {
      this.masks.delete(state);
      this.masks.set(state, cached);
      this.lastUsed = state;
    }
    return cached;
  }

  /**
   * Whether the mask of `state` is cached (then {@link CompiledGrammar.mask} is a lookup). Not a use:
   * it does not change which mask is evicted next.
   * @param state - A live state.
   * @returns True when cached.
   */
  hasMask(state: number): boolean {
    return this.masks.has(state);
  }

  /** Bytes of the masks cached now: never above `maxCacheBytes`. */
  get cachedBytes(): number {
    return this.cacheBytes;
  }

  /**
   * The state after `token` from `state` (EOS: the same state when it may end there), or DEAD.
   * @param state - A live state.
   * @param token - Token id.
   * @returns The next state or DEAD.
   */
  advance(state: number, token: number): number {
    if (token === this.eosId) return this.automaton.accepts(state) ? state : DEAD;
    if (token < 0 || token >= this.vocabSize) return DEAD;
    const m = this.masks.get(state);
    if (m !== undefined && ((m[token >>> 5]! >>> (token & 31)) & 1) === 0) return DEAD;
    return this.walkToken(state, token);
  }

  /**
   * Builds the masks of every state reachable from `from` through whole tokens, breadth first, up to
   * `maxStates` masks (a recursive grammar has unboundedly many; the rest are built on demand). Each
   * counts as a use; when they do not all fit in `maxCacheBytes`, the first ones built are evicted.
   * @param maxStates - Bound on masks built here (default 4096).
   * @param from - Start state (default: the grammar's start).
   * @returns How many states were visited (their masks built, or found cached).
   */
  precompute(maxStates = 4096, from = this.automaton.start): number {
    const queue = [from];
    const seen = new Set<number>([from]);
    let built = 0;
    while (queue.length > 0 && built < maxStates) {
      const s = queue.shift()!;
      const succ: number[] = [];
      if (this.masks.has(s)) {
        this.mask(s); // a use: it moves to the most recently used end
        this.walkTrie(s, succ);
      } else this.computeMask(s, succ);
      built++;
      for (const t of succ) {
        if (!seen.has(t)) {
          seen.add(t);
          queue.push(t);
        }
      }
    }
    return built;
  }

  /** The state after the bytes of `token` (DEAD for an excluded token or one without bytes). */
  private walkToken(state: number, token: number): number {
    const data = this.trie.tokenData;
    const to = this.trie.tokenStart[token + 1]!;
    let i = this.trie.tokenStart[token]!;
    if (i === to) return DEAD;
    const a = this.automaton;
    let s = state;
    for (; i < to && s !== DEAD; i++) s = a.next(s, data[i]!);
    return s;
  }

  /** The bytes of `token` as the trie stores them (undefined for excluded or empty tokens). */
  tokenBytes(token: number): Uint8Array | undefined {
    if (!(token >= 0 && token < this.vocabSize)) return undefined;
    const from = this.trie.tokenStart[token]!;
    const to = this.trie.tokenStart[token + 1]!;
    return from === to ? undefined : this.trie.tokenData.subarray(from, to);
  }

  /** The mask of `state` by one trie walk, plus EOS; cached (evicting as needed) when it fits at all. */
  private computeMask(state: number, successors: number[] | null): Uint32Array {
    this.walkTrie(state, successors);
    const bits = this.scratch.slice(0, this.words);
    const eos = this.eosId;
    if (eos >= 0 && eos < this.vocabSize && this.automaton.accepts(state))
      bits[eos >>> 5]! |= 1 << (eos & 31);
    this.store(state, bits);
    return bits;
  }

  /**
   * Caches `bits` as the most recently used mask, first evicting the least recently used ones until it
   * fits. A mask larger than the whole bound is not cached (evicting everything would not make room).
   */
  private store(state: number, bits: Uint32Array): void {
    const size = bits.byteLength;
    if (size > this.maxCacheBytes) return;
    const masks = this.masks;
    while (this.cacheBytes + size > this.maxCacheBytes) {
      const oldest = masks.keys().next().value as number;
      this.cacheBytes -= masks.get(oldest)!.byteLength;
      masks.delete(oldest);
    }
    masks.set(state, bits);
    this.cacheBytes += size;
    this.lastUsed = state;
  }

  /**
   * One walk of the trie from `state`: sets in `scratch` the bit of every token that reaches a live
   * state, and the spare bit past the mask for every live node no token ends at (`trie.nodeToken`:
   * no branch on whether a token ends there — that branch goes either way at about half the nodes of
   * a string-content walk and was two thirds of its time). Collects the states tokens lead to when
   * `successors` is given (for precompute).
   */
  private walkTrie(state: number, successors: number[] | null): void {
    const a = this.automaton;
    const trie = this.trie;
    const info = trie.nodeInfo;
    const end = trie.end;
    const nodeToken = trie.nodeToken;
    const nextTok = trie.nextToken;
    const n = trie.size;
    const bits = this.scratch;
    // Cleared before, not after: a walk can stop half way (the automaton's GrammarTooLargeError).
    bits.fill(0);
    const stateAt = this.stateAt;
    stateAt[0] = state;
    let table = a.table;
    let k = 1;
    while (k < n) {
      const x = info[k]!;
      const d = (x >>> 8) & 0xffff;
      const from = stateAt[d - 1]!;
      let t = table[(from << 8) | (x & 255)]!;
      if (t < 0) {
        if (t === UNKNOWN) {
          t = a.next(from, x & 255);
          table = a.table;
        }
        if (t === DEAD) {
          k = end[k]!;
          continue;
        }
      }
      stateAt[d] = t;
      const tok = nodeToken[k]!;
      bits[tok >>> 5]! |= 1 << (tok & 31);
      if (x >= MORE_TOKENS) {
        for (let o = nextTok[tok]!; o >= 0; o = nextTok[o]!) bits[o >>> 5]! |= 1 << (o & 31);
      }
      if (successors !== null && trie.firstToken[k]! >= 0) {
        if (t >= this.seen.length) {
          const grown = new Uint8Array(Math.max(t + 1, this.seen.length * 2));
          grown.set(this.seen);
          this.seen = grown;
        }
        if (this.seen[t] === 0) {
          this.seen[t] = 1;
          successors.push(t);
        }
      }
      k++;
    }
    if (successors !== null) for (const t of successors) this.seen[t] = 0;
  }
}
