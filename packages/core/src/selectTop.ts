/**
 * Ids of the `n` largest logits of one row, most likely first, ties to the lower token id, written into
 * `outIds` without allocating (the output slots double as the heap).
 *
 * Order: `i` before `j` iff `u_i > u_j`, or `u_i = u_j` and `i < j`. `-Infinity` (banned) tokens are
 * ordinary members of that order (they come last). If `n > length`, only `length` slots are written.
 *
 * Method: a bounded min-heap of size n whose root is the worst kept token, fed in id order (so a later
 * token enters only if strictly greater than the root — the tie rule for free); then an in-place heap
 * sort puts the best first. O(V + k log n), where k ≤ V is the number of heap replacements
 * (PERFORMANCE.md: ~1–2 ns/element for n = 40).
 *
 * @param data - Logits, already validated (no NaN).
 * @param offset - Index of the row's first element.
 * @param length - V ≥ 0.
 * @param n - Number of ids wanted, integer ≥ 0.
 * @param outIds - Receives `min(n, length)` token ids (0-based within the row) from `outOffset`.
 * @param outOffset - Index of the first slot.
 * @returns The number of ids written, `min(n, length)` (0 when n ≤ 0).
 *
 * @example
 * ```ts
 * const ids = new Int32Array(3);
 * selectTop(new Float32Array([1, 3, 2, 3]), 0, 4, 3, ids, 0); // 3; ids = [1, 3, 2]
 * ```
 */
export function selectTop(
  data: Float32Array,
  offset: number,
  length: number,
  n: number,
  outIds: Int32Array,
  outOffset: number,
): number {
  const size = Math.min(n, length);
  if (size <= 0) return 0;
  const h = outOffset; // heap occupies outIds[h .. h + size)
  // Fill with the first `size` ids, then heapify (root = worst).
  for (let i = 0; i < size; i++) outIds[h + i] = i;
  for (let start = (size >> 1) - 1; start >= 0; start--) siftDown(data, offset, outIds, h, start, size);
  let rootValue = data[offset + outIds[h]!]!;
  for (let i = size; i < length; i++) {
    const v = data[offset + i]!;
    if (v > rootValue) {
      outIds[h] = i;
      siftDown(data, offset, outIds, h, 0, size);
      rootValue = data[offset + outIds[h]!]!;
    }
  }
  // In-place heap sort: move the worst to the end repeatedly → best first.
  for (let last = size - 1; last > 0; last--) {
    const top = outIds[h]!;
    outIds[h] = outIds[h + last]!;
    outIds[h + last] = top;
    siftDown(data, offset, outIds, h, 0, last);
  }
  return size;
}

/** Restores the min-heap (worst at the root) below `start`; "worse" = lower logit, or equal logit and higher id. */
function siftDown(
  data: Float32Array,
  offset: number,
  ids: Int32Array,
  h: number,
  start: number,
  size: number,
): void {
  let parent = start;
  const id = ids[h + parent]!;
  const value = data[offset + id]!;
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= size) break;
    let childId = ids[h + child]!;
    let childValue = data[offset + childId]!;
    const right = child + 1;
    if (right < size) {
      const rightId = ids[h + right]!;
      const rightValue = data[offset + rightId]!;
      if (rightValue < childValue || (rightValue === childValue && rightId > childId)) {
        child = right;
        childId = rightId;
        childValue = rightValue;
      }
    }
    // Stop once the moving entry is worse than the worse child: the heap order holds below it.
    if (value < childValue || (value === childValue && id > childId)) break;
    ids[h + parent] = childId;
    parent = child;
  }
  ids[h + parent] = id;
}
