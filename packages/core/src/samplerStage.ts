import type { Candidates } from "./candidates.js";

/**
 * Scratch buffers shared by the stages of one sampler (grown on demand, reused across rows):
 * a sampler never allocates per row in its hot path.
 */
export interface SamplerScratch {
  f64a: Float64Array;
  i32a: Int32Array;
  i32b: Int32Array;
  f32a: Float32Array;
}

/**
 * What a stage may read besides the candidates: where the row is, where its randomness comes from,
 * and what came before it. The sampler owns the context and refreshes it before every draw; a stage
 * reads it during `apply` only (the views are replaced between draws, so do not keep them).
 */
export interface SamplingContext {
  /** Global row index for error messages (−1 when unknown). */
  row: number;
  /** Vocabulary size V of the row. */
  vocab: number;
  /** RNG seed (uint32). */
  seed: number;
  /** RNG stream: global row index in a batch, request id in generation. */
  stream: number;
  /** RNG step: 0 in a batch, token position in generation (the number of tokens sampled so far). */
  step: number;
  /**
   * The tokens accepted so far, oldest first: prompt tokens fed through `Sampler.accept`, then every
   * sampled token (empty for a batch row). Everything since the sampler was built or reset; after a
   * resume from a saved state, only the last `max(historyWindow)` tokens of the stages (see
   * {@link SamplerStage.historyWindow}). What DRY, no-repeat-n-gram or a grammar stage look back at.
   */
  history: Int32Array;
  scratch: SamplerScratch;
}

/**
 * One unit of a sampler chain (llama.cpp's `llama_sampler_i`: name / apply / accept / reset / clone).
 * Filters only shrink or reweight the candidates; only a terminal stage (`greedy`, `dist`) sets
 * `candidates.selected`. The built-in stages also carry an internal fast path (a SIMD shortcut over
 * the whole row, see `stageFastPath.ts`); a stage written elsewhere runs through `apply` only.
 *
 * State: a stage whose state is a window of the last accepted tokens declares `historyWindow`; the
 * sampler saves those tokens once (`SamplerState.recent`) and gives them back to `loadState` on a
 * resume. Any other state (e.g. a running estimate) goes through `saveState` / `loadState` as a
 * JSON-serializable value, saved per stage (`SamplerState.stages`).
 */
export interface SamplerStage {
  /** Stage name as used in `samplers` lists and error messages, e.g. `"top_p"`. */
  readonly name: string;
  /**
   * How many of the most recent accepted tokens the stage's state is made of (`Infinity`: all). The
   * sampler keeps that many in `SamplerState.recent` and calls `loadState(recent)` on a resume.
   */
  readonly historyWindow?: number;
  /** Shrinks or reweights `candidates` (a terminal stage selects one); may read `ctx`. */
  apply(candidates: Candidates, ctx: SamplingContext): void;
  /** Called with each token the sampler emits or is fed (after the draw, in chain order). */
  accept?(token: number): void;
  /** Forgets accepted tokens. */
  reset?(): void;
  /** An independent copy, including all state. */
  clone(): SamplerStage;
  /**
   * The stage's serializable state: its token window (oldest first) when it declares
   * `historyWindow`, otherwise any JSON-serializable value.
   */
  saveState?(): unknown;
  /** Restores what {@link SamplerStage.saveState} returned. */
  loadState?(state: unknown): void;
}

/**
 * A fresh scratch set with room for `n` elements.
 * @param n - Initial capacity (grown by {@link ensureScratch}).
 * @returns The scratch buffers.
 * @example
 * ```ts
 * createScratch(16).f64a.length; // 16
 * ```
 */
export function createScratch(n = 0): SamplerScratch {
  return {
    f64a: new Float64Array(n),
    i32a: new Int32Array(n),
    i32b: new Int32Array(n),
    f32a: new Float32Array(n),
  };
}

/**
 * Grows `s` so every buffer holds at least `n` elements.
 * @param s - Scratch to grow in place.
 * @param n - Required capacity.
 * @returns `s`.
 * @example
 * ```ts
 * ensureScratch(s, 1024);
 * ```
 */
export function ensureScratch(s: SamplerScratch, n: number): SamplerScratch {
  if (s.f64a.length < n) {
    const cap = Math.max(n, s.f64a.length * 2);
    s.f64a = new Float64Array(cap);
    s.i32a = new Int32Array(cap);
    s.i32b = new Int32Array(cap);
    s.f32a = new Float32Array(cap);
  }
  return s;
}

/**
 * A standalone context for applying stages by hand (tests, custom chains).
 * @param vocab - Vocabulary size.
 * @param opts - Row, seed, stream, step (all default 0, row −1), history (accepted tokens, default none).
 * @returns A context with its own scratch.
 * @example
 * ```ts
 * topK(2).apply(c, createSamplingContext(4));
 * ```
 */
export function createSamplingContext(
  vocab: number,
  opts: { row?: number; seed?: number; stream?: number; step?: number; history?: ArrayLike<number> } = {},
): SamplingContext {
  return {
    row: opts.row ?? -1,
    vocab,
    seed: opts.seed ?? 0,
    stream: opts.stream ?? 0,
    step: opts.step ?? 0,
    history: Int32Array.from(opts.history ?? []),
    scratch: createScratch(vocab),
  };
}
