/**
 * A set of integer keys in [0, 2^53) whose `clear` is O(1): entries carry the epoch they were added
 * in, and clearing starts a new epoch. ByteAutomaton clears its scratch sets once per transition it
 * computes (tens of thousands per schema); a built-in Set reallocates and regrows its table on every
 * clear, which cost more than the expansion itself.
 *
 * Method: open addressing with linear probing over a power-of-two table, at most half full.
 */
export class EpochSet {
  private keys = new Float64Array(64);
  private stamps = new Uint32Array(64);
  private epoch = 1;
  /** Keys added since the last clear. */
  size = 0;

  clear(): void {
    this.size = 0;
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      // Once per 4 billion clears: old stamps could be mistaken for the new epoch.
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  /**
   * Adds `key` unless present.
   * @param key - An integer in [0, 2^53).
   * @returns True when it was added (not present before).
   */
  add(key: number): boolean {
    const keys = this.keys;
    const stamps = this.stamps;
    const mask = keys.length - 1;
    let i = hash(key) & mask;
    while (stamps[i] === this.epoch) {
      if (keys[i] === key) return false;
      i = (i + 1) & mask;
    }
    keys[i] = key;
    stamps[i] = this.epoch;
    this.size++;
    if (this.size * 2 > keys.length) this.grow();
    return true;
  }

  /** Doubles the table, re-inserting this epoch's keys (older ones are dropped). */
  private grow(): void {
    const oldKeys = this.keys;
    const oldStamps = this.stamps;
    const n = oldKeys.length * 2;
    this.keys = new Float64Array(n);
    this.stamps = new Uint32Array(n);
    const mask = n - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldStamps[j] !== this.epoch) continue;
      const key = oldKeys[j]!;
      let i = hash(key) & mask;
      while (this.stamps[i] === this.epoch) i = (i + 1) & mask;
      this.keys[i] = key;
      this.stamps[i] = this.epoch;
    }
  }
}

/** Mixes both 32-bit halves of a key below 2^53 (keys here are `a * n + b`: the low bits alone cluster). */
function hash(key: number): number {
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
