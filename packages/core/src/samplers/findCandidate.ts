import type { Candidates } from "../candidates.js";

/**
 * Position of token `id` among the live candidates, or −1. Binary search when the set is in id order
 * (unsorted), a linear scan when it is sorted by logit (then it is usually small).
 *
 * @param c - Candidate set.
 * @param id - Token id.
 * @returns Index in `[0, size)` or −1.
 * @example
 * ```ts
 * findCandidate(c, 7); // 7 right after loading a full row
 * ```
 */
export function findCandidate(c: Candidates, id: number): number {
  const ids = c.ids;
  const n = c.size;
  if (c.sorted) {
    for (let i = 0; i < n; i++) if (ids[i] === id) return i;
    return -1;
  }
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
