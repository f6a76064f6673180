import type { Candidates } from "./candidates.js";
import type { LoadedRow } from "./kernels/dispatch.js";
import type { SamplerStage, SamplingContext } from "./samplerStage.js";

/**
 * One validated logit row as the sampler chain hands it to a stage's fast path.
 *
 * `kernelRow` is the row's handle in the kernel memory (`loadRow`), when it is loaded there: the SIMD
 * kernels answer questions about it without copying it again.
 */
export interface RowView {
  data: Float32Array;
  /** First element of the row in `data`. */
  offset: number;
  /** Vocabulary size V ≥ 1. */
  length: number;
  /** The row's maximum (finite: the row was validated). */
  max: number;
  /** Global row index named in errors (−1 when unknown). */
  index: number;
  /** The row loaded in the kernel memory (fast paths ask it), or null when it is not. */
  kernelRow: LoadedRow | null;
}

/**
 * The first `size` tokens of the raw row in the kernels' total order (value descending, ties to the
 * lower id), when a fast path found them anyway; the sampler reports the top-N raw logprobs for
 * N ≤ size from them without a second pass over the row. Owned by the chain; a fast path grows `ids`.
 */
export interface RowHead {
  ids: Int32Array;
  size: number;
}

/**
 * What a stage does to any candidate set, fixed when the stage is built: nothing (`identity`: an
 * inactive filter such as top-k with k ≤ 0), the temperature transform (`scale`), or anything else.
 */
export type StageEffect =
  | { readonly kind: "identity" }
  | { readonly kind: "scale"; readonly temperature: number }
  | { readonly kind: "other" };

/**
 * A built-in stage's shortcut over the whole row (the stage's speed-up lives with the stage, as in
 * llama.cpp's samplers). The chain computes one plan when it is built: the leading stages whose
 * effect is `identity` or one `scale` amount to softmax(row / T) (T = 1 without a scale), and the
 * first stage after them — the lead — may then start the draw straight from the loaded row:
 *
 * - `fromRow` writes into `c` exactly the candidates the leading stages and the lead itself would
 *   leave; the chain continues with the stage after the lead. False: not applicable to this row (the
 *   chain loads all V candidates and runs every stage).
 * - `pickFromRow` (a terminal lead: the whole chain is leading no-ops plus this terminal) returns the
 *   token the terminal would select, or −1 when not applicable. Not used when the processed logprob
 *   is asked for (that needs the candidates).
 *
 * Both are only called on a row with a kernel handle (`row.kernelRow`).
 */
export interface StageFastPath {
  readonly effect: StageEffect;
  fromRow?(c: Candidates, row: RowView, temperature: number, head: RowHead): boolean;
  pickFromRow?(row: RowView, temperature: number, ctx: SamplingContext, head: RowHead): number;
}

// A symbol module-private to core: a stage written elsewhere cannot claim a fast path it lacks.
const FAST_PATH = Symbol("logitstream.stageFastPath");

/**
 * Attaches a fast path to a built-in stage (a non-enumerable property, so the stage object looks the
 * same to everything else).
 * @param stage - The stage.
 * @param fastPath - Its effect and shortcuts.
 * @returns `stage`.
 * @example
 * ```ts
 * return withFastPath(stage, { effect: k > 0 ? OTHER : IDENTITY, fromRow });
 * ```
 */
export function withFastPath<S extends SamplerStage>(stage: S, fastPath: StageFastPath): S {
  Object.defineProperty(stage, FAST_PATH, { value: fastPath, enumerable: false });
  return stage;
}

/**
 * The fast path of a built-in stage, or undefined for a stage written elsewhere.
 * @param stage - Any stage.
 * @returns Its fast path, if it has one.
 * @example
 * ```ts
 * fastPathOf(topK(40))?.effect.kind; // "other"
 * ```
 */
export function fastPathOf(stage: SamplerStage): StageFastPath | undefined {
  return (stage as unknown as { [FAST_PATH]?: StageFastPath })[FAST_PATH];
}

/**
 * Whether a stage leaves every candidate in place: a built-in filter that its params turned off (top-k 0,
 * top-p 1, …) or the temperature. False for any other stage, including stages written elsewhere (they may
 * remove candidates). A tool that inspects a chain stage by stage (the playground) need not look after
 * such a stage, and by not inserting its own stage there it keeps the chain's shortcuts over the row.
 * @param stage - A stage, e.g. one of `Sampler.stages`.
 * @returns True when the stage cannot remove a candidate.
 * @example
 * ```ts
 * keepsEveryCandidate(topK(0)); // true
 * keepsEveryCandidate(topK(40)); // false
 * ```
 */
export function keepsEveryCandidate(stage: SamplerStage): boolean {
  const kind = fastPathOf(stage)?.effect.kind;
  return kind === "identity" || kind === "scale";
}

/** The effect of an inactive filter. */
export const IDENTITY: StageEffect = Object.freeze({ kind: "identity" });
/** The effect of an active filter or a terminal. */
export const OTHER: StageEffect = Object.freeze({ kind: "other" });
