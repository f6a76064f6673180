/**
 * Deepest nesting of arrays, objects and maps accepted in a frame's `id` (and in an output record's).
 * An id is echoed into every output record of its rows, and serializers (JSON.stringify, msgpackr's
 * packer, structured clone) recurse once per level: an id nested 100,000 deep would overflow the
 * stack there. 64 levels is far beyond any real id and far below any stack limit.
 */
export const MAX_ID_DEPTH = 64;

/**
 * Nesting depth of a JSON-like value — 0 for a primitive, 1 for `[]` or `{}`, 2 for `[[]]`, … — found
 * without recursion (an explicit stack), so any input is safe to measure. Stops as soon as the depth
 * passes `limit` and returns `limit + 1` then (also for a value that contains itself). Typed arrays
 * count as leaves; Maps (decoded msgpack) are walked by their values.
 */
export function valueDepth(value: unknown, limit: number = MAX_ID_DEPTH): number {
  if (value === null || typeof value !== "object") return 0;
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let max = 0;
  while (values.length > 0) {
    const v = values.pop() as object;
    const d = depths.pop()!;
    if (d > max) {
      max = d;
      if (max > limit) return limit + 1;
    }
    if (ArrayBuffer.isView(v)) continue;
    const children: Iterable<unknown> =
      v instanceof Map ? v.values() : Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      if (c !== null && typeof c === "object") {
        values.push(c);
        depths.push(d + 1);
      }
    }
  }
  return max;
}
