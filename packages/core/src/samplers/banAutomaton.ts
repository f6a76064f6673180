/**
 * An Aho–Corasick automaton over token-id sequences, answering "which next tokens would complete a
 * banned sequence?" for the text read so far.
 *
 * States are the prefixes of the banned sequences (a trie); `fail[s]` is the state of the longest
 * proper suffix of s that is also a prefix. A state's `ends` list holds the tokens t for which s ++ [t]
 * is itself a banned sequence or ends with one; the full answer for state s is the union of `ends`
 * along its failure chain (at most as long as the longest sequence), so a step never looks at the
 * bans that cannot match — its cost does not grow with the number of bans.
 *
 * @example
 * ```ts
 * const a = new BanAutomaton([[1, 2], [7]]);
 * const s = a.next(0, 1);   // read token 1
 * const out: number[] = [];
 * a.banned(s, out);           // out = [2, 7]: 2 completes [1, 2], 7 is banned everywhere
 * ```
 *
 * References: Aho & Corasick 1975, "Efficient string matching: an aid to bibliographic search".
 */
export class BanAutomaton {
  /** Longest banned sequence (the history a state depends on). */
  readonly maxLength: number;
  private readonly children: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Whether some banned sequence is a suffix of the state's prefix. */
  private readonly terminal: boolean[] = [false];
  private readonly ends: number[][] = [[]];

  /** @param sequences - Non-empty sequences of token ids (empty ones are ignored). */
  constructor(sequences: readonly (readonly number[])[]) {
    let maxLength = 0;
    for (const seq of sequences) {
      if (seq.length === 0) continue;
      maxLength = Math.max(maxLength, seq.length);
      let s = 0;
      for (const t of seq) {
        let child = this.children[s]!.get(t);
        if (child === undefined) {
          child = this.children.length;
          this.children.push(new Map());
          this.fail.push(0);
          this.terminal.push(false);
          this.ends.push([]);
          this.children[s]!.set(t, child);
        }
        s = child;
      }
      this.terminal[s] = true;
    }
    this.maxLength = maxLength;
    // Breadth-first: a state's failure target is shallower, so it is final before the state is reached.
    const queue: number[] = [0];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [t, child] of this.children[s]!) {
        if (s !== 0) {
          let f = this.fail[s]!;
          while (f !== 0 && !this.children[f]!.has(t)) f = this.fail[f]!;
          const target = this.children[f]!.get(t);
          this.fail[child] = target !== undefined && target !== child ? target : 0;
        }
        if (this.terminal[this.fail[child]!]) this.terminal[child] = true;
        queue.push(child);
      }
    }
    for (let s = 0; s < this.children.length; s++) {
      for (const [t, child] of this.children[s]!) if (this.terminal[child]) this.ends[s]!.push(t);
    }
  }

  /**
   * The state after reading `token` in state `state` (0 = nothing read).
   * @param state - A state of this automaton.
   * @param token - The next token id.
   * @returns The new state.
   */
  next(state: number, token: number): number {
    let s = state;
    for (;;) {
      const child = this.children[s]!.get(token);
      if (child !== undefined) return child;
      if (s === 0) return 0;
      s = this.fail[s]!;
    }
  }

  /**
   * Writes into `out` (cleared first) every token that, read next in `state`, completes a banned
   * sequence (a token may appear more than once).
   * @param state - A state of this automaton.
   * @param out - Receives the banned token ids.
   * @returns `out.length`.
   */
  banned(state: number, out: number[]): number {
    out.length = 0;
    let s = state;
    for (;;) {
      const ends = this.ends[s]!;
      for (let i = 0; i < ends.length; i++) out.push(ends[i]!);
      if (s === 0) return out.length;
      s = this.fail[s]!;
    }
  }
}
