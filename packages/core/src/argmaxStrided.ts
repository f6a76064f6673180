/**
 * Index (within the row) of the first element equal to `max`: the greedy token, ties to the lower id.
 *
 * @param data - Logits.
 * @param offset - First element of the row in `data`.
 * @param length - Row length V ≥ 1.
 * @param max - The row maximum, from `checkRow` (so a match exists).
 * @returns An integer in [0, length).
 *
 * @example
 * ```ts
 * argmaxStrided(new Float32Array([1, 5, 5]), 0, 3, 5); // 1
 * ```
 */
export function argmaxStrided(data: Float32Array, offset: number, length: number, max: number): number {
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    if (data[i] === max) return i - offset;
  }
  return -1;
}
