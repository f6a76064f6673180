import type { Candidates } from "../candidates.js";
import { truncateCandidates } from "../candidates.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import type { RowHead, RowView } from "../stageFastPath.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { applyTemperature } from "./temperature.js";

/**
 * Top-k: keeps exactly the `k` highest logits (ties → the lower id); `k ≤ 0` or `k ≥ size` is a no-op.
 * The result is sorted (logit descending, ties by lower id).
 *
 * @param k - Integer; ≤ 0 disables the stage.
 * @returns A stage named `"top_k"`.
 *
 * @example
 * ```ts
 * // logits [1, 5, 3, 5] with top_k(2) → ids [1, 3] (logits [5, 5]); with top_k(3) → ids [1, 3, 2]
 * topK(2).apply(candidates, ctx);
 * ```
 *
 * Method: one pass with a bounded min-heap of size k (O(V log k), ~1–2 ns/element), then the heap is
 * emptied worst-first into positions k−1 … 0 — no full-vocabulary sort. Fast path: when every stage
 * before it is an inactive filter or the temperature, the SIMD top-k kernel picks the k candidates
 * from the loaded row (see `topKFromRow`).
 * References: Fan et al. 2018 (top-k sampling); llama.cpp `llama_sampler_top_k_impl` (which uses a
 * bucket partial sort instead).
 */
export function topK(k: number): SamplerStage {
  const stage: SamplerStage = {
    name: "top_k",
    apply(c: Candidates, ctx: SamplingContext): void {
      if (k <= 0 || k >= c.size) return;
      selectTopK(c, k, ctx);
    },
    clone() {
      return topK(k);
    },
  };
  if (!(k > 0)) return withFastPath(stage, { effect: IDENTITY });
  return withFastPath(stage, {
    effect: OTHER,
    fromRow: (c, row, t, head) => topKFromRow(c, row, k, t, head),
  });
}

/**
 * top-k after leading no-ops and a temperature T, on the loaded row: the temperature is monotone, so
 * the k candidates are the k highest raw logits, which the SIMD kernel picks from the whole row
 * (value descending, ties to the lower id) instead of loading V candidates; then T is applied to
 * them. They are also the row's head. False (nothing changed) when k ≥ V or fewer than k tokens are
 * unmasked (the full path keeps masked tokens as candidates then).
 */
function topKFromRow(c: Candidates, row: RowView, k: number, t: number, head: RowHead): boolean {
  if (k >= row.length) return false;
  if (c.ids.length < k) {
    c.ids = new Int32Array(k);
    c.logits = new Float32Array(k);
    c.probs = new Float64Array(k);
  }
  if (row.kernelRow!.topK(k, c.ids, c.logits) < k) return false;
  c.size = k;
  c.sorted = true;
  c.max = c.logits[0]!;
  c.probsValid = false;
  c.probsSum = 0;
  c.selected = -1;
  c.pristine = false;
  c.rawSum = Number.NaN;
  if (head.ids.length < k) head.ids = new Int32Array(k);
  head.ids.set(c.ids.subarray(0, k));
  head.size = k;
  applyTemperature(c, t);
  return true;
}

/**
 * Keeps the `k` best candidates (logit descending, ties → lower id) and sorts them; the kernel behind
 * {@link topK} and the `minKeep` guarantee of the threshold filters.
 *
 * @param c - Candidate set with 1 ≤ k ≤ size.
 * @param k - Number to keep.
 * @param ctx - Supplies scratch memory.
 * @example
 * ```ts
 * selectTopK(c, 1, ctx); // c.ids[0] is the argmax
 * ```
 */
export function selectTopK(c: Candidates, k: number, ctx: SamplingContext): void {
  if (k >= c.size && c.sorted) return;
  if (c.sorted) {
    truncateCandidates(c, k);
    return;
  }
  const n = c.size;
  if (k > n) k = n;
  const s = ensureScratch(ctx.scratch, k);
  const hv = s.f32a;
  const hid = s.i32a;
  const ids = c.ids;
  const logits = c.logits;
  // Build a min-heap of the first k by (value asc, id desc): the root is the worst kept.
  for (let i = 0; i < k; i++) {
    hv[i] = logits[i]!;
    hid[i] = ids[i]!;
  }
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(hv, hid, i, k);
  for (let i = k; i < n; i++) {
    const v = logits[i]!;
    // Candidates arrive in increasing id order: an equal value has a higher id than everything in
    // the heap, so it loses the tie — `<=` is exact, not a shortcut.
    if (v <= hv[0]!) continue;
    hv[0] = v;
    hid[0] = ids[i]!;
    siftDown(hv, hid, 0, k);
  }
  // Pop worst-first into positions k-1 … 0.
  for (let end = k - 1; end >= 0; end--) {
    logits[end] = hv[0]!;
    ids[end] = hid[0]!;
    hv[0] = hv[end]!;
    hid[0] = hid[end]!;
    siftDown(hv, hid, 0, end);
  }
  c.size = k;
  c.sorted = true;
  c.pristine = false;
  c.max = logits[0]!;
  c.probsValid = false;
}

function siftDown(hv: Float32Array, hid: Int32Array, root: number, n: number): void {
  const v = hv[root]!;
  const id = hid[root]!;
  let i = root;
  for (;;) {
    let ch = 2 * i + 1;
    if (ch >= n) break;
    const r = ch + 1;
    // choose the worse child: lower value, or equal value and higher id
    if (r < n && (hv[r]! < hv[ch]! || (hv[r] === hv[ch] && hid[r]! > hid[ch]!))) ch = r;
    if (hv[ch]! < v || (hv[ch] === v && hid[ch]! > id)) {
      hv[i] = hv[ch]!;
      hid[i] = hid[ch]!;
      i = ch;
    } else {
      break;
    }
  }
  hv[i] = v;
  hid[i] = id;
}
