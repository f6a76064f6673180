/**
 * Sorts the first `n` entries of three parallel arrays ascending by `(keys[i], tie[i])`,
 * carrying `payload` along. In place, allocation-free, deterministic (a total order on distinct ties).
 *
 * Used by the sampler stages to order a small candidate subset (the top-p nucleus, the typical set):
 * never the whole vocabulary on the default path.
 *
 * @param keys - Primary keys (no NaN).
 * @param tie - Secondary keys, e.g. token ids (ties go to the lower id).
 * @param payload - Carried along (e.g. candidate positions).
 * @param n - Number of leading entries to sort; integer in [0, length].
 *
 * @example
 * ```ts
 * const k = new Float64Array([2, 1, 2]), t = new Int32Array([5, 9, 3]), p = new Int32Array([0, 1, 2]);
 * sortPairs(k, t, p, 3); // k = [1, 2, 2], t = [9, 3, 5], p = [1, 2, 0]
 * ```
 *
 * Method: heapsort (Williams 1964), O(n log n) worst case, no recursion.
 */
export function sortPairs(keys: Float64Array, tie: Int32Array, payload: Int32Array, n: number): void {
  for (let start = (n >> 1) - 1; start >= 0; start--) siftDown(keys, tie, payload, start, n);
  for (let end = n - 1; end > 0; end--) {
    const k = keys[0]!;
    const t = tie[0]!;
    const p = payload[0]!;
    keys[0] = keys[end]!;
    tie[0] = tie[end]!;
    payload[0] = payload[end]!;
    keys[end] = k;
    tie[end] = t;
    payload[end] = p;
    siftDown(keys, tie, payload, 0, end);
  }
}

function siftDown(keys: Float64Array, tie: Int32Array, payload: Int32Array, root: number, n: number): void {
  const k = keys[root]!;
  const t = tie[root]!;
  const p = payload[root]!;
  let i = root;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    const r = c + 1;
    // pick the larger child under (key, tie)
    if (r < n && (keys[r]! > keys[c]! || (keys[r] === keys[c] && tie[r]! > tie[c]!))) c = r;
    if (keys[c]! > k || (keys[c] === k && tie[c]! > t)) {
      keys[i] = keys[c]!;
      tie[i] = tie[c]!;
      payload[i] = payload[c]!;
      i = c;
    } else {
      break;
    }
  }
  keys[i] = k;
  tie[i] = t;
  payload[i] = p;
}
