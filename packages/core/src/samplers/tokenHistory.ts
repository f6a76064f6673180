/**
 * The last `capacity` accepted tokens (all of them when `capacity` is `Infinity`), for the stages that
 * look back at what was generated (DRY, no-repeat-n-gram). A ring over one `Int32Array`: `push` is
 * O(1) and allocation-free once the ring is full.
 *
 * @example
 * ```ts
 * const h = new TokenHistory(2);
 * h.push(5); h.push(6); h.push(7);
 * h.toArray(); // [6, 7]
 * h.fromEnd(0); // 7 (the newest)
 * ```
 */
export class TokenHistory {
  readonly capacity: number;
  private buf: Int32Array;
  private start = 0;
  length = 0;

  /** @param capacity - Integer ≥ 0, or `Infinity` for an unbounded history. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.buf = new Int32Array(Math.min(capacity, 64));
  }

  /** Appends `token`, dropping the oldest when full. */
  push(token: number): void {
    const cap = this.capacity;
    if (cap === 0) return;
    let buf = this.buf;
    if (this.length === buf.length) {
      if (this.length < cap) {
        // unbounded (or not yet at capacity): grow, unrolling the ring
        const next = new Int32Array(Math.min(cap, buf.length * 2));
        for (let i = 0; i < this.length; i++) next[i] = buf[(this.start + i) % buf.length]!;
        this.buf = buf = next;
        this.start = 0;
      } else {
        buf[this.start] = token;
        this.start = (this.start + 1) % buf.length;
        return;
      }
    }
    buf[(this.start + this.length) % buf.length] = token;
    this.length++;
  }

  /**
   * The token `i` places before the newest (0 = the newest).
   * @param i - Integer in [0, length).
   */
  fromEnd(i: number): number {
    const buf = this.buf;
    return buf[(this.start + this.length - 1 - i) % buf.length]!;
  }

  /** Forgets every token. */
  clear(): void {
    this.start = 0;
    this.length = 0;
  }

  /** The tokens, oldest first (a fresh array: the serializable state). */
  toArray(): number[] {
    const out: number[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.fromEnd(this.length - 1 - i);
    return out;
  }
}
