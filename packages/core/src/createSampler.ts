import type { Candidates } from "./candidates.js";
import { computeProbs, createCandidates, loadCandidates } from "./candidates.js";
import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkRow } from "./checkRow.js";
import { describeValue } from "./describeValue.js";
import { EmptyCandidatesError, InvalidParamsError } from "./errors.js";
import { fillLogprobs } from "./fillLogprobs.js";
import {
  loadedCountGt,
  loadedDrawKernel,
  loadedTopK,
  loadedTopLogprobs,
  rowStatsKernel,
  topPKernel,
} from "./kernels/dispatch.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";
import { uniform } from "./rng.js";
import type { SamplerParams } from "./samplerParams.js";
import { resolveSamplerParams } from "./samplerParams.js";
import type { SamplerStage, SamplingContext } from "./samplerStage.js";
import { createScratch } from "./samplerStage.js";
import { dist } from "./samplers/dist.js";
import { greedy } from "./samplers/greedy.js";
import { logitBias } from "./samplers/logitBias.js";
import { minP } from "./samplers/minP.js";
import { penalties } from "./samplers/penalties.js";
import { temperature } from "./samplers/temperature.js";
import { topK } from "./samplers/topK.js";
import { topNSigma } from "./samplers/topNSigma.js";
import { topP } from "./samplers/topP.js";
import { typicalP } from "./samplers/typicalP.js";

/** Per-call options of {@link Sampler.sample}. */
export interface SampleOptions {
  /**
   * How many most likely tokens to report under the raw distribution: an integer in [0, MAX_TOP_N =
   * 4096], default 0; more than the row has reports the whole row.
   */
  logprobs?: number;
  /** Also report the sampled token's logprob under the processed (filtered) distribution. */
  processed?: boolean;
  /** Global row index named in errors (default −1). */
  row?: number;
}

/** One entry of `topLogprobs` (OpenAI's shape). */
export interface TopLogprob {
  token: number;
  logprob: number;
}

/** What {@link Sampler.sample} returns. */
export interface SampleResult {
  token: number;
  /** log_softmax of the untouched logits at `token` (vLLM's default "raw" logprobs). */
  logprob: number;
  /** 1 + the number of tokens with a strictly higher raw logit. */
  rank: number;
  /** log-probability of `token` under the candidates left after the filters (when `processed`). */
  processedLogprob?: number;
  /** The N most likely tokens under the raw distribution, most likely first (ties → lower id). */
  topLogprobs?: TopLogprob[];
}

/** JSON-serializable sampler state: RNG position and penalty window (oldest token first). */
export interface SamplerState {
  stream: number;
  step: number;
  recent: number[];
}

/** A stateful sampler: the chain of stages plus its RNG position and penalty window. */
export interface Sampler {
  /** The resolved params (defaults filled in). */
  readonly params: Readonly<Required<SamplerParams>>;
  /** The stages in order; the last one is terminal. */
  readonly stages: readonly SamplerStage[];
  /** Samples one token from a row, then advances (step += 1, token enters the penalty window). */
  sample(logits: Float32Array, opts?: SampleOptions): SampleResult;
  /** As {@link Sampler.sample} on `data[offset, offset + length)` without a view. */
  sampleStrided(data: Float32Array, offset: number, length: number, opts?: SampleOptions): SampleResult;
  /** Feeds a token produced elsewhere (e.g. a prompt) into the penalty window; does not advance the RNG. */
  accept(token: number): void;
  state(): SamplerState;
  /** An independent sampler that continues exactly like this one. */
  clone(): Sampler;
  /** Back to step 0 with an empty penalty window (same stream). */
  reset(): void;
}

/** Options of {@link createSampler}. */
export interface CreateSamplerOptions {
  /** RNG stream (request id in generation, global row in a batch); integer in [0, 2^53), default 0. */
  stream?: number;
  /** A state from {@link Sampler.state} to resume from (its stream wins over `stream`). */
  state?: SamplerState;
}

// Stages built here (and their clones) keep the Candidates invariants, so the raw normalizer a
// pristine-row stage computed (`candidates.rawSum`) can be trusted; a hand-inserted stage disables that.
const BUILT = new WeakSet<SamplerStage>();

function buildStage(name: string, p: Required<SamplerParams>): SamplerStage {
  const stage = makeStage(name, p);
  BUILT.add(stage);
  return stage;
}

function makeStage(name: string, p: Required<SamplerParams>): SamplerStage {
  switch (name) {
    case "logit_bias":
      return logitBias(p.logitBias);
    case "penalties":
      return penalties({
        repetition: p.repetitionPenalty,
        frequency: p.frequencyPenalty,
        presence: p.presencePenalty,
        window: p.penaltyWindow,
      });
    case "temperature":
      return temperature(p.temperature);
    case "top_k":
      return topK(p.topK);
    case "top_p":
      return topP(p.topP);
    case "min_p":
      return minP(p.minP);
    case "typical_p":
      return typicalP(p.typicalP);
    case "top_n_sigma":
      return topNSigma(p.topNSigma);
    case "greedy":
      return greedy();
    default:
      return dist();
  }
}

function checkCounter(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidParamsError(name, `must be an integer in [0, 2^53), got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Whether a built-in filter stage leaves the candidates as they are with these params: an empty logit
 * bias, inactive penalties, top_k ≤ 0, top_p = 1, min_p = 0, typical_p = 1, top_n_sigma = 0. False for
 * every other stage (temperature, greedy and dist have their own rule in each shortcut).
 */
function inactive(p: Required<SamplerParams>, name: string): boolean {
  switch (name) {
    case "logit_bias":
      return Object.keys(p.logitBias).length === 0;
    case "penalties":
      return p.repetitionPenalty === 1 && p.frequencyPenalty === 0 && p.presencePenalty === 0;
    case "top_k":
      return !(p.topK > 0);
    case "top_p":
      return !(p.topP < 1);
    case "min_p":
      return !(p.minP > 0);
    case "typical_p":
      return !(p.typicalP < 1);
    case "top_n_sigma":
      return !(p.topNSigma > 0);
    default:
      return false;
  }
}

function leadingTopK(p: Required<SamplerParams>, stages: readonly SamplerStage[]): number {
  for (const stage of stages) {
    if (!BUILT.has(stage)) return 0;
    switch (stage.name) {
      case "logit_bias":
      case "penalties":
        if (!inactive(p, stage.name)) return 0;
        break;
      case "temperature":
        break;
      case "top_k":
        return Math.max(p.topK, 0);
      default:
        return 0;
    }
  }
  return 0;
}

/**
 * Index of the stage after a leading top_p (0: none): every stage before the chain's top_p is a
 * built-in no-op (empty logit bias, inactive penalties, top_k with k ≤ 0) or a temperature T > 0,
 * and p < 1 — so the candidates top_p leaves are the top-p nucleus of softmax(row / T), which the
 * SIMD kernel finds on the whole row (see drawRow).
 */
function leadingTopP(p: Required<SamplerParams>, stages: readonly SamplerStage[]): number {
  if (!(p.temperature > 0) || !(p.topP < 1)) return 0;
  for (let s = 0; s < stages.length; s++) {
    const stage = stages[s]!;
    if (!BUILT.has(stage)) return 0;
    switch (stage.name) {
      case "logit_bias":
      case "penalties":
      case "top_k":
        if (!inactive(p, stage.name)) return 0;
        break;
      case "temperature":
        break;
      case "top_p":
        return s + 1;
      default:
        return 0;
    }
  }
  return 0;
}

/**
 * What a chain of built-in stages amounts to when no filter is active (empty logit bias, inactive
 * penalties, top_k ≤ 0, top_p = 1, min_p = 0, typical_p = 1, top_n_sigma = 0): "greedy" (a greedy
 * terminal, or a temperature stage with T = 0), "dist" (a dist terminal after no temperature
 * stage or one with T > 0: a draw from softmax(row / T)), or null (some stage is active).
 */
function plainChain(p: Required<SamplerParams>, stages: readonly SamplerStage[]): "greedy" | "dist" | null {
  let greedy = false;
  for (let s = 0; s < stages.length; s++) {
    const stage = stages[s]!;
    if (!BUILT.has(stage)) return null;
    switch (stage.name) {
      case "temperature":
        if (p.temperature === 0) greedy = true;
        break;
      case "greedy":
        return s === stages.length - 1 ? "greedy" : null;
      case "dist":
        return s === stages.length - 1 ? (greedy ? "greedy" : "dist") : null;
      default:
        if (!inactive(p, stage.name)) return null;
    }
  }
  return null;
}

/**
 * Loads the top-p nucleus of softmax(row / T) (topPKernel: the smallest set of most likely tokens
 * with mass ≥ p, ties to the lower id; float32 exp-and-sum, so the edge is decided at float32
 * precision) as the candidate set, exactly as the temperature and top_p stages leave it: ids
 * ascending (unsorted), logits (u − max) / T rounded to float32 (u itself at T = 1), their float64
 * exponentials and sum in id order, not pristine.
 */
function loadNucleusCandidates(
  c: Candidates,
  data: Float32Array,
  offset: number,
  length: number,
  max: number,
  t: number,
  p: number,
): void {
  if (c.ids.length < length) {
    c.ids = new Int32Array(length);
    c.logits = new Float32Array(length);
    c.probs = new Float64Array(length);
  }
  const n = topPKernel(data, offset, length, t, p, c.ids);
  const ids = c.ids;
  const logits = c.logits;
  const m = t === 1 ? max : 0;
  if (t === 1) for (let i = 0; i < n; i++) logits[i] = data[offset + ids[i]!]!;
  else for (let i = 0; i < n; i++) logits[i] = (data[offset + ids[i]!]! - max) / t;
  // The exponentials and their sum as top_p's compaction leaves them (float64, id order).
  const probs = c.probs;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = portableExp(logits[i]! - m);
    probs[i] = e;
    sum += e;
  }
  c.max = m;
  c.size = n;
  c.sorted = false;
  c.probsValid = true;
  c.probsSum = sum;
  c.selected = -1;
  c.pristine = false;
  c.rawSum = Number.NaN;
}

/**
 * Loads the k highest raw logits of the row loaded in the kernel memory (`rowLoaded`; otherwise
 * false is returned and the caller loads all V candidates) as the candidate set, exactly as the
 * top_k stage leaves it: value descending, ties to the lower id, `sorted`, not pristine, `max` the
 * first value. Returns false when fewer than k tokens are unmasked (the full path keeps masked
 * tokens as candidates in that case).
 */
function loadTopKCandidates(c: Candidates, k: number, rowLoaded: boolean): boolean {
  if (!rowLoaded) return false;
  if (c.ids.length < k) {
    c.ids = new Int32Array(k);
    c.logits = new Float32Array(k);
    c.probs = new Float64Array(k);
  }
  if (loadedTopK(k, c.ids, c.logits) < k) return false;
  c.size = k;
  c.sorted = true;
  c.max = c.logits[0]!;
  c.probsValid = false;
  c.probsSum = 0;
  c.selected = -1;
  c.pristine = false;
  c.rawSum = Number.NaN;
  return true;
}

/** @internal The chain implementation; `sampleBatch` drives {@link ChainSampler.drawRow} directly. */
export class ChainSampler implements Sampler {
  readonly params: Readonly<Required<SamplerParams>>;
  readonly stages: SamplerStage[];
  stream: number;
  step: number;
  /** Set by {@link ChainSampler.drawRow}: the processed logprob of the last draw (when requested). */
  lastProcessed = Number.NaN;
  /** Set by {@link ChainSampler.drawRow}: Σ exp(u_i − max) of the raw row if a stage computed it, else NaN. */
  lastRawSum = Number.NaN;
  private readonly cands: Candidates = createCandidates();
  private readonly ctx: SamplingContext;
  private topIds = new Int32Array(0);
  private topLps = new Float64Array(0);
  /**
   * The ids the last {@link ChainSampler.drawRow} took through the top-k shortcut, in kernel order
   * (value descending, ties to the lower id): the first `headSize` tokens of the raw row. The top-N
   * raw logprobs for N ≤ headSize are their prefix (see fillTopLogprobs); headSize = 0 otherwise.
   */
  private headIds = new Int32Array(0);
  private headSize = 0;
  /**
   * k of a leading top-k (0: none): every stage before the chain's top_k is a built-in no-op (empty
   * logit bias, inactive penalties) or the temperature (monotone), so the top-k of the processed
   * logits are the top-k of the raw row, and the SIMD kernel can pick them from the whole row
   * instead of loading V candidates (see drawRow).
   */
  private readonly leadingTopK: number;
  /** Index of the stage after a leading top_p (0: none; see leadingTopP and drawRow). */
  private readonly afterTopP: number;
  /** Index of the stage after the top_k of a leading top-k (0: none). */
  private readonly afterTopK: number;
  /** The whole chain is plain greedy or plain dist (see plainChain and drawRow), else null. */
  private readonly plain: "greedy" | "dist" | null;
  /** The temperature the plain dist draws at (1 without a temperature stage). */
  private readonly plainT: number;
  /** Length and terminal stage name of the chain `plain` was derived from. */
  private readonly plainLen: number;
  private readonly plainTerminal: string;

  constructor(params: Required<SamplerParams>, stages: SamplerStage[], stream: number, step: number) {
    this.params = params;
    this.stages = stages;
    this.stream = stream;
    this.step = step;
    this.ctx = { row: -1, vocab: 0, seed: params.seed, stream, step, scratch: createScratch() };
    this.leadingTopK = leadingTopK(params, stages);
    this.afterTopP = leadingTopP(params, stages);
    this.afterTopK = this.leadingTopK > 0 ? stages.findIndex((s) => s.name === "top_k") + 1 : 0;
    this.plain = plainChain(params, stages);
    this.plainLen = stages.length;
    this.plainTerminal = stages.length > 0 ? stages[stages.length - 1]!.name : "";
    this.plainT = stages.some((s) => s.name === "temperature") ? params.temperature : 1;
  }

  /**
   * Runs the chain on one validated row and returns the token; sets `lastProcessed` when asked.
   * Does not advance the sampler.
   */
  drawRow(
    data: Float32Array,
    offset: number,
    length: number,
    max: number,
    row: number,
    stream: number,
    step: number,
    processed: boolean,
    rowLoaded = false,
  ): number {
    const c = this.cands;
    const ctx = this.ctx;
    ctx.row = row;
    ctx.vocab = length;
    ctx.stream = stream;
    ctx.step = step;
    const k = this.leadingTopK;
    this.headSize = 0;
    const plain = this.plain;
    if (
      plain !== null &&
      rowLoaded &&
      !processed &&
      this.stages.length === this.plainLen &&
      this.stagesUnchanged(this.plainLen, this.plainTerminal)
    ) {
      // The whole chain is a plain greedy pick or a plain dist draw: one SIMD pass over the loaded row.
      this.lastRawSum = Number.NaN;
      if (plain === "greedy") {
        // Argmax, ties to the lower id (the top-1 of the kernel's total order).
        if (this.headIds.length < 1) this.headIds = new Int32Array(1);
        if (loadedTopK(1, this.headIds, null) === 1) {
          this.headSize = 1;
          return this.headIds[0]!;
        }
      } else {
        return loadedDrawKernel(max, this.plainT, uniform(ctx.seed, stream, step));
      }
    }
    let first = 0; // the first stage to run
    if (
      k > 0 &&
      k < length &&
      this.stagesUnchanged(this.afterTopK, "top_k") &&
      loadTopKCandidates(c, k, rowLoaded)
    ) {
      if (this.headIds.length < k) this.headIds = new Int32Array(k);
      this.headIds.set(c.ids.subarray(0, k));
      this.headSize = k;
    } else if (
      this.afterTopP > 0 &&
      rowLoaded &&
      length > 1 &&
      this.stagesUnchanged(this.afterTopP, "top_p")
    ) {
      // The SIMD nucleus replaces the V-sized candidate load and the stages up to top_p.
      loadNucleusCandidates(c, data, offset, length, max, this.params.temperature, this.params.topP);
      first = this.afterTopP;
    } else {
      loadCandidates(c, data, offset, length, max);
    }
    const stages = this.stages;
    let trusted = true;
    for (let s = first; s < stages.length; s++) {
      const stage = stages[s]!;
      if (!BUILT.has(stage)) trusted = false;
      stage.apply(c, ctx);
      if (c.size === 0) throw new EmptyCandidatesError(row, stage.name);
    }
    this.lastRawSum = trusted ? c.rawSum : Number.NaN;
    const sel = c.selected;
    if (sel < 0 || sel >= c.size) throw new EmptyCandidatesError(row, stages[stages.length - 1]!.name);
    if (processed) {
      computeProbs(c);
      this.lastProcessed = portableLog(c.probs[sel]! / c.probsSum);
    }
    return c.ids[sel]!;
  }

  sample(logits: Float32Array, opts?: SampleOptions): SampleResult {
    return this.sampleStrided(logits, 0, logits.length, opts);
  }

  sampleStrided(data: Float32Array, offset: number, length: number, opts: SampleOptions = {}): SampleResult {
    const row = opts.row ?? -1;
    // Checked before anything is allocated; more entries than the row has gives the whole row.
    const nTop = Math.min(checkCount("logprobs", opts.logprobs ?? 0, MAX_TOP_N), length);
    const processed = opts.processed === true;
    // One load into the kernel memory: max (with validation) and the raw normalizer (logSoftmax's S).
    if (!(offset >= 0 && length > 0 && offset + length <= data.length)) checkRow(data, offset, length, row);
    const st = rowStatsKernel(data, offset, length, 1, false);
    const max = st.max;
    if (!Number.isFinite(max)) checkRow(data, offset, length, row); // throws the typed error
    const logSum = st.logSum;
    const token = this.drawRow(data, offset, length, max, row, this.stream, this.step, processed, true);
    const ut = data[offset + token]!;
    const result: SampleResult = { token, logprob: ut - max - logSum, rank: 1 + loadedCountGt(ut) };
    if (processed) result.processedLogprob = this.lastProcessed;
    if (nTop > 0) {
      if (this.topIds.length < nTop) {
        this.topIds = new Int32Array(nTop);
        this.topLps = new Float64Array(nTop);
      }
      this.fillTopLogprobs(data, offset, nTop, max, logSum, this.topIds, this.topLps, 0);
      const top: TopLogprob[] = [];
      for (let k = 0; k < nTop; k++) {
        top.push({ token: this.topIds[k]!, logprob: this.topLps[k]! });
      }
      result.topLogprobs = top;
    }
    this.step += 1;
    this.accept(token);
    return result;
  }

  /**
   * True when stages[0, n) are still built-in stages and stages[n − 1] is named `name`: the chain
   * the shortcuts were derived from at construction (`stages` is a mutable array).
   */
  private stagesUnchanged(n: number, name: string): boolean {
    const stages = this.stages;
    if (stages.length < n || stages[n - 1]!.name !== name) return false;
    for (let s = 0; s < n; s++) if (!BUILT.has(stages[s]!)) return false;
    return true;
  }

  /**
   * The n most likely raw tokens of the row of the last drawRow and their logprobs, as
   * `loadedTopLogprobs` writes them (the row must still be loaded). When the top-k shortcut picked
   * k ≥ n tokens, they are the first n of those (the same total order, so the same ids and values)
   * and no second pass over the row is needed.
   */
  fillTopLogprobs(
    data: Float32Array,
    offset: number,
    n: number,
    max: number,
    logSum: number,
    outIds: Int32Array,
    outLogprobs: Float64Array,
    outOffset: number,
  ): void {
    if (n > this.headSize) {
      loadedTopLogprobs(data, offset, n, max, logSum, outIds, outLogprobs, outOffset);
      return;
    }
    outIds.set(this.headIds.subarray(0, n), outOffset);
    fillLogprobs(data, offset, n, n, max, logSum, outIds, outLogprobs, outOffset);
  }

  accept(token: number): void {
    const stages = this.stages;
    for (let s = 0; s < stages.length; s++) stages[s]!.accept?.(token);
  }

  state(): SamplerState {
    let recent: number[] = [];
    for (const s of this.stages) if (s.saveState) recent = s.saveState();
    return { stream: this.stream, step: this.step, recent };
  }

  clone(): Sampler {
    const stages = this.stages.map((s) => {
      const copy = s.clone();
      if (BUILT.has(s)) BUILT.add(copy);
      return copy;
    });
    return new ChainSampler(this.params, stages, this.stream, this.step);
  }

  reset(): void {
    this.step = 0;
    for (const s of this.stages) s.reset?.();
  }
}

/**
 * Builds a stateful sampler from one plain params object: the chain of stages in the default order
 * (logit bias → penalties → temperature → top-k → top-p → min-p → typical → top-n-sigma → dist) or in
 * the order of `params.samplers` (a terminal `dist` is appended when the list has none).
 *
 * Each `sample()` validates the row (`checkRow`), runs the stages on reused candidate buffers, draws
 * with `uniform(seed, stream, step)`, reports the raw logprob / rank / top logprobs, then advances
 * `step` and feeds the token to the penalty window. A stage that leaves nothing throws
 * {@link EmptyCandidatesError} naming the row and stage.
 *
 * Shortcuts (same candidates as the stages they replace): when every stage before top_k is a
 * built-in no-op or the temperature, the SIMD top-k kernel picks the k candidates from the row; when
 * that holds up to top_p and top-k is off, the SIMD nucleus kernel (`topPNucleus`) picks top-p's
 * candidates — its edge decided on float32 exponentials, so it can differ from the float64 stage only
 * for a token whose cumulative mass lies within float32 rounding (~1e-6 relative) of p.
 * A chain with no active filter that is greedy (greedy terminal or temperature 0) takes the SIMD argmax
 * (ties to the lower id); one ending in `dist` draws by inverse CDF over the float32 exp-and-sum
 * (`loadedDrawKernel`, same u as `dist`), so it can differ from the float64 stage only where the
 * float32 cumulative sum crosses u·S differently. Neither is used when `processed` is asked for.
 *
 * @param params - Sampling params (validated here; {@link InvalidParamsError} on bad values).
 * @param opts - `stream` (default 0) or a saved `state` to resume.
 * @returns A {@link Sampler}.
 *
 * @example
 * ```ts
 * const s = createSampler({ temperature: 0, seed: 7 });
 * s.sample(new Float32Array([1, 3, 2]), { logprobs: 2 });
 * // { token: 1, logprob: -0.40760596444438, rank: 1, topLogprobs: [{ token: 1, logprob: -0.4076… }, { token: 2, logprob: -1.4076… }] }
 * ```
 *
 * References: llama.cpp sampler chain (`llama_sampler_chain_*`, `src/llama-sampling.cpp`); vLLM
 * `v1/sample/sampler.py` (order of penalties, temperature, top-k/top-p, min-p; raw logprobs).
 */
export function createSampler(params: SamplerParams, opts: CreateSamplerOptions = {}): Sampler {
  const p = resolveSamplerParams(params);
  const stages = p.samplers.map((name) => buildStage(name, p));
  const st = opts.state;
  if (st !== undefined) {
    if (st === null || typeof st !== "object" || !Array.isArray(st.recent)) {
      throw new InvalidParamsError("state", "must be an object from Sampler.state()");
    }
    const sampler = new ChainSampler(
      p,
      stages,
      checkCounter("state.stream", st.stream),
      checkCounter("state.step", st.step),
    );
    for (const t of st.recent) checkCounter("state.recent", t);
    for (const s of stages) s.loadState?.(st.recent);
    return sampler;
  }
  return new ChainSampler(p, stages, checkCounter("stream", opts.stream ?? 0), 0);
}
