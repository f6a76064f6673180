import type { Candidates } from "../candidates.js";
import { invalidateCandidates } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import type { SamplerStage, SamplingContext } from "../samplerStage.js";
import { ensureScratch } from "../samplerStage.js";
import { IDENTITY, OTHER, withFastPath } from "../stageFastPath.js";
import { findCandidate } from "./findCandidate.js";
import { TokenHistory } from "./tokenHistory.js";

/** Options of {@link dry}. */
export interface DryOptions {
  /** Penalty scale; 0 = off. Finite ≥ 0. */
  multiplier: number;
  /** Growth per extra repeated token; ≥ 1 (below 1 = off). Default 1.75. */
  base?: number;
  /** Repeats up to this length are free; integer ≥ 1. Default 2. */
  allowedLength?: number;
  /** How many recent tokens to scan: integer ≥ 0 (0 = off), or −1 for the whole history. Default −1. */
  penaltyLastN?: number;
  /**
   * Sequence breakers as token-id sequences (a head token and the tail that must follow it); a repeat
   * never extends across one. Strings go through {@link drySequenceBreakers} first. Default none.
   */
  sequenceBreakers?: readonly (readonly number[])[];
}

/**
 * DRY ("don't repeat yourself"): penalizes the token that would extend a repetition of an earlier
 * stretch of the text, more the longer that repetition already is.
 *
 * Exact definition (llama.cpp's, ported from koboldcpp / text-generation-webui): let h be the last
 * `penaltyLastN` accepted tokens (N of them; nothing happens when N ≤ allowedLength).
 * 1. The repeat limit R: scanning back from the newest token, the first token that heads a sequence
 *    breaker whose tail matches the tokens after it (the longest such tail when several) at distance i
 *    with tail length ℓ gives R = i − ℓ; with no breaker R = N. Nothing happens when R < allowedLength.
 * 2. For each earlier position j, the length of the longest common suffix of h[0…j] and h, capped at R.
 * 3. Each position j whose length L ≥ allowedLength makes the token h[j+1] a continuation of a repeat of
 *    length L; each token keeps its largest L.
 * 4. Each such candidate token (unless it is a one-token breaker) gets
 *    `logit ← logit − multiplier · base^min(L − allowedLength, ⌊88.7228391 / ln base⌋)` (the cap only
 *    when base > 1.000001: it keeps the power finite in float32), computed in float64, stored as float32.
 *
 * @param opts - See {@link DryOptions}.
 * @returns A stage named `"dry"` with `accept`, `reset`, `saveState`/`loadState` (the scanned history).
 *
 * @example
 * ```ts
 * // history a b c d a b c (ids 0 1 2 3 0 1 2), multiplier 1, base 2, allowed 2: the suffix "a b c"
 * // (L = 3) occurred before, followed by d → logit[3] −= 1 · 2^(3−2) = 2
 * const s = dry({ multiplier: 1, base: 2, allowedLength: 2 });
 * for (const t of [0, 1, 2, 3, 0, 1, 2]) s.accept(t);
 * s.apply(candidates, ctx);
 * ```
 *
 * Method: step 2 is the Z-algorithm on the reversed history (O(N) per step), step 1 is O(N · tail
 * length), step 4 touches only the penalized tokens.
 * References: p-e-w, "DRY: A modern repetition penalty" (text-generation-webui PR 5677); koboldcpp PR
 * 982 (pi6am); llama.cpp `llama_sampler_dry_apply`; Gusfield 1997 (the Z-algorithm).
 */
export function dry(opts: DryOptions): SamplerStage {
  const multiplier = opts.multiplier;
  const base = opts.base ?? 1.75;
  const allowed = opts.allowedLength ?? 2;
  const lastN = opts.penaltyLastN ?? -1;
  const breakerList = (opts.sequenceBreakers ?? []).filter((b) => b.length > 0).map((b) => b.slice());
  const active = multiplier !== 0 && base >= 1 && lastN !== 0;
  const capacity = lastN < 0 ? Number.POSITIVE_INFINITY : lastN;
  const history = new TokenHistory(active ? capacity : 0);
  // head token → the tails that complete a breaker after it ([] for a one-token breaker)
  const breakers = new Map<number, number[][]>();
  for (const b of breakerList) {
    const tails = breakers.get(b[0]!) ?? [];
    const tail = b.slice(1);
    if (!tails.some((t) => t.length === tail.length && t.every((v, i) => v === tail[i]))) tails.push(tail);
    breakers.set(b[0]!, tails);
  }
  const maxExponent = base > 1.000001 ? Math.floor(88.7228391 / portableLog(base)) : 0;
  let r = new Int32Array(0); // the history, newest first
  let z = new Int32Array(0);
  const longest = new Map<number, number>();

  const stage: SamplerStage = {
    name: "dry",
    historyWindow: active ? capacity : 0,
    apply(c: Candidates, ctx: SamplingContext): void {
      const n = history.length;
      if (!active || n <= allowed) return;
      if (r.length < n) {
        r = new Int32Array(Math.max(n, 2 * r.length));
        z = new Int32Array(r.length);
      }
      for (let j = 0; j < n; j++) r[j] = history.fromEnd(j);
      const limit = repeatLimit(r, n, breakers);
      if (limit < allowed) return;
      zArray(r, n, z);
      longest.clear();
      for (let k = 1; k < n; k++) {
        const len = Math.min(z[k]!, limit);
        if (len < allowed) continue;
        const next = r[k - 1]!; // the token that followed this earlier occurrence
        const prev = longest.get(next);
        if (prev === undefined || prev < len) longest.set(next, len);
      }
      if (longest.size === 0) return;
      const logits = c.logits;
      let changed = false;
      for (const [token, len] of longest) {
        const tails = breakers.get(token);
        if (tails?.some((t) => t.length === 0)) continue; // a one-token breaker is never penalized
        const i = findCandidate(c, token);
        if (i < 0) continue;
        let e = len - allowed;
        if (maxExponent > 0 && e > maxExponent) e = maxExponent;
        logits[i] = logits[i]! - multiplier * powInt(base, e);
        changed = true;
      }
      if (changed) {
        const s = ensureScratch(ctx.scratch, c.size);
        invalidateCandidates(c, s.f64a, s.i32a, s.i32b, s.f32a);
      }
    },
    accept(token: number): void {
      history.push(token);
    },
    reset(): void {
      history.clear();
    },
    clone(): SamplerStage {
      const copy = dry(opts);
      copy.loadState!(history.toArray());
      return copy;
    },
    saveState(): number[] {
      return history.toArray();
    },
    loadState(state: readonly number[]): void {
      history.clear();
      for (const t of state) history.push(t);
    },
  };
  return withFastPath(stage, { effect: active ? OTHER : IDENTITY });
}

/**
 * Step 1: the repeat limit from the sequence breakers. `r` is the history newest first; a breaker head
 * at distance i whose tail (newer tokens, in order) is r[i−1], r[i−2], … limits repeats to i − |tail|.
 */
function repeatLimit(r: Int32Array, n: number, breakers: Map<number, number[][]>): number {
  if (breakers.size === 0) return n;
  for (let i = 0; i < n; i++) {
    const tails = breakers.get(r[i]!);
    if (tails === undefined) continue;
    let best = -1;
    for (const tail of tails) {
      const len = tail.length;
      if (len <= best || len > i) continue;
      let match = true;
      for (let o = 0; o < len; o++) {
        if (tail[o] !== r[i - o - 1]) {
          match = false;
          break;
        }
      }
      if (match) best = len;
    }
    if (best >= 0) return i - best;
  }
  return n;
}

/** Z-array of r[0, n): z[k] = length of the longest common prefix of r and r[k…] (z[0] unused). */
function zArray(r: Int32Array, n: number, z: Int32Array): void {
  let left = 0;
  let right = 0;
  for (let k = 1; k < n; k++) {
    let len = 0;
    if (k < right) len = Math.min(right - k, z[k - left]!);
    while (k + len < n && r[len] === r[k + len]) len++;
    z[k] = len;
    if (k + len > right) {
      left = k;
      right = k + len;
    }
  }
}

/** base^e for an integer e ≥ 0 by repeated squaring: IEEE products only, the same bits in every engine. */
function powInt(base: number, e: number): number {
  let result = 1;
  let b = base;
  let k = e;
  while (k > 0) {
    if (k & 1) result *= b;
    b *= b;
    k >>= 1;
  }
  return result;
}
