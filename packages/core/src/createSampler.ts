import type { StageEnvironment } from "./advancedStage.js";
import { advancedStage } from "./advancedStage.js";
import { describeValue } from "./describeValue.js";
import { InvalidParamsError } from "./errors.js";
import { SamplerChain } from "./samplerChain.js";
import type { SamplerParams } from "./samplerParams.js";
import { resolveSamplerParams } from "./samplerParams.js";
import type { SamplerStage } from "./samplerStage.js";
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
import type { Tokenizer } from "./types.js";

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

/**
 * One `{ token, logprob }` entry of a top-N list, most likely first (OpenAI's `top_logprobs` shape).
 * Declared here once: wire's records and stream's events use (and re-export) this type.
 */
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

/**
 * JSON-serializable sampler state: RNG position, the most recent accepted tokens (as many as the
 * stages' largest `historyWindow`: the penalty window in the default chain), oldest first, and the
 * saved state of stages that keep more than tokens (one entry per stage, null for the others;
 * absent when no stage does).
 */
export interface SamplerState {
  stream: number;
  step: number;
  recent: number[];
  stages?: unknown[];
}

/** A stateful sampler: an immutable chain of stages plus its RNG position and accepted tokens. */
export interface Sampler {
  /** The resolved params (defaults filled in). */
  readonly params: Readonly<Required<SamplerParams>>;
  /** The stages in order, custom ones included; the last one is terminal. Frozen: a chain never changes. */
  readonly stages: readonly SamplerStage[];
  /** Samples one token from a row, then advances (step += 1, the token is accepted). */
  sample(logits: Float32Array, opts?: SampleOptions): SampleResult;
  /** As {@link Sampler.sample} on `data[offset, offset + length)` without a view. */
  sampleStrided(data: Float32Array, offset: number, length: number, opts?: SampleOptions): SampleResult;
  /** Feeds a token produced elsewhere (e.g. a prompt) to the history and the stages; does not advance the RNG. */
  accept(token: number): void;
  state(): SamplerState;
  /** An independent sampler that continues exactly like this one. */
  clone(): Sampler;
  /** Back to step 0 with an empty history (same stream). */
  reset(): void;
}

/**
 * A stage of your own for {@link createSampler}, inserted at a named place of the chain the params
 * build (like `llama_sampler_chain_add` or a Hugging Face `LogitsProcessorList`): right `before` or
 * right `after` the built-in stage of that name (one of `params.samplers`, or of the default order),
 * or, with neither, right before the terminal (`dist` / `greedy`). Several insertions at one place
 * keep their list order.
 */
export interface StageInsertion {
  /** The stage; the sampler owns it from now on (`Sampler.clone` clones it). */
  stage: SamplerStage;
  before?: string;
  after?: string;
}

/** Options of {@link createSampler}. */
export interface CreateSamplerOptions {
  /** RNG stream (request id in generation, global row in a batch); integer in [0, 2^53), default 0. */
  stream?: number;
  /** A state from {@link Sampler.state} to resume from (its stream wins over `stream`). */
  state?: SamplerState;
  /** Custom stages and where they go (see {@link StageInsertion}). */
  stages?: readonly StageInsertion[];
  /** The model's tokenizer: encodes `drySequenceBreakers` and string `bannedSequences`. */
  tokenizer?: Tokenizer;
  /** End-of-sequence token id(s) that `minTokens` holds back (`generate` passes the model's `eosId`). */
  eosIds?: readonly number[];
}

function makeStage(name: string, p: Required<SamplerParams>, env: StageEnvironment): SamplerStage {
  const advanced = advancedStage(name, p, env);
  if (advanced !== undefined) return advanced;
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

function checkInsertion(ins: StageInsertion, where: string): void {
  if (ins === null || typeof ins !== "object") {
    throw new InvalidParamsError(where, "must be an object { stage, before?, after? }");
  }
  const st = ins.stage as Partial<SamplerStage> | null | undefined;
  if (
    st === null ||
    typeof st !== "object" ||
    typeof st.name !== "string" ||
    typeof st.apply !== "function" ||
    typeof st.clone !== "function"
  ) {
    throw new InvalidParamsError(`${where}.stage`, "must be a SamplerStage (name, apply, clone)");
  }
  if (ins.before !== undefined && ins.after !== undefined) {
    throw new InvalidParamsError(where, "give `before` or `after`, not both");
  }
}

/** The chain: the built-in stages named in `names`, with the insertions placed among them. */
function buildStages(
  names: readonly string[],
  p: Required<SamplerParams>,
  insertions: readonly StageInsertion[] | undefined,
  env: StageEnvironment,
): SamplerStage[] {
  // slots[i]: the custom stages that go right before names[i].
  const slots: SamplerStage[][] = names.map(() => []);
  if (insertions !== undefined) {
    if (!Array.isArray(insertions)) throw new InvalidParamsError("stages", "must be an array of insertions");
    insertions.forEach((ins, i) => {
      const where = `stages[${i}]`;
      checkInsertion(ins, where);
      const anchor = ins.before ?? ins.after;
      let slot = names.length - 1; // before the terminal
      if (anchor !== undefined) {
        const at = names.indexOf(anchor);
        if (at < 0) {
          throw new InvalidParamsError(
            where,
            `no stage "${String(anchor)}" in this chain (${names.join(", ")})`,
          );
        }
        if (ins.after !== undefined && at === names.length - 1) {
          throw new InvalidParamsError(where, `nothing can go after the terminal stage "${anchor}"`);
        }
        slot = ins.before !== undefined ? at : at + 1;
      }
      slots[slot]!.push(ins.stage);
    });
  }
  const stages: SamplerStage[] = [];
  names.forEach((name, i) => {
    stages.push(...slots[i]!, makeStage(name, p, env));
  });
  return stages;
}

/**
 * Builds a stateful sampler from one plain params object: the chain of stages in the default order
 * (logit bias → penalties → temperature → top-k → top-p → min-p → typical → top-n-sigma → dist) or in
 * the order of `params.samplers` (a terminal `dist` is appended when the list has none).
 *
 * Each `sample()` validates the row (`checkRow`), runs the stages on reused candidate buffers, draws
 * with `uniform(seed, stream, step)`, reports the raw logprob / rank / top logprobs, then advances
 * `step` and accepts the token (history, penalty window). A stage that leaves nothing throws
 * {@link EmptyCandidatesError} naming the row and stage. `opts.stages` inserts stages of your own
 * (see {@link StageInsertion}); they see the accepted tokens and the step in their context.
 *
 * Fast paths (each built-in stage owns its own; the chain plans them once, when built): the leading
 * stages that are inactive filters (empty logit bias, inactive penalties, top_k ≤ 0, top_p = 1,
 * min_p = 0, typical_p = 1, top_n_sigma = 0) or the temperature are folded into one softmax(row / T),
 * and the first stage after them may start from the row loaded in the kernel memory instead of V
 * candidates: top_k's SIMD top-k pick; top_p's SIMD nucleus (`topPNucleus`, T > 0; its edge decided
 * on float32 exponentials, so it can differ from the float64 stage only for a token whose cumulative
 * mass lies within float32 rounding (~1e-6 relative) of p); and when that stage is the terminal, a
 * greedy pick is one SIMD argmax (also dist at T = 0) and a dist is one SIMD draw by inverse CDF
 * over the float32 exp-and-sum (`loadedDrawKernel`, same u as `dist`; it can differ from the float64
 * stage only where the float32 cumulative sum crosses u·S differently). The terminal pick is not used
 * when `processed` is asked for. A custom stage has no fast path: placed among the leading stages, it
 * ends them (the stages from it on run on the V candidates); placed later, the fast path of the lead
 * before it still runs.
 *
 * @param params - Sampling params (validated here; {@link InvalidParamsError} on bad values).
 * @param opts - `stream` (default 0) or a saved `state` to resume; `stages` to insert.
 * @returns A {@link Sampler}.
 *
 * @example
 * ```ts
 * const s = createSampler({ temperature: 0, seed: 7 });
 * s.sample(new Float32Array([1, 3, 2]), { logprobs: 2 });
 * // { token: 1, logprob: -0.40760596444438, rank: 1, topLogprobs: [{ token: 1, logprob: -0.4076… }, { token: 2, logprob: -1.4076… }] }
 *
 * // A ban list of your own, right before top-k (filterCandidates keeps the candidates' invariants).
 * const banned = new Set([13, 198]);
 * const ban: SamplerStage = {
 *   name: "ban",
 *   apply: (c) => void filterCandidates(c, (id) => !banned.has(id)),
 *   clone: () => ban,
 * };
 * createSampler({ topK: 40 }, { stages: [{ before: "top_k", stage: ban }] });
 * ```
 *
 * References: llama.cpp sampler chain (`llama_sampler_chain_*`, `src/llama-sampling.cpp`); vLLM
 * `v1/sample/sampler.py` (order of penalties, temperature, top-k/top-p, min-p; raw logprobs).
 */
export function createSampler(params: SamplerParams, opts: CreateSamplerOptions = {}): Sampler {
  const p = resolveSamplerParams(params);
  const env: StageEnvironment = {};
  if (opts.tokenizer !== undefined) env.tokenizer = opts.tokenizer;
  if (opts.eosIds !== undefined) env.eosIds = opts.eosIds;
  const stages = buildStages(p.samplers, p, opts.stages, env);
  const st = opts.state;
  if (st === undefined) return new SamplerChain(p, stages, checkCounter("stream", opts.stream ?? 0), 0);
  if (st === null || typeof st !== "object" || !Array.isArray(st.recent)) {
    throw new InvalidParamsError("state", "must be an object from Sampler.state()");
  }
  const stream = checkCounter("state.stream", st.stream);
  const step = checkCounter("state.step", st.step);
  for (const t of st.recent) checkCounter("state.recent", t);
  const saved = st.stages;
  if (saved !== undefined && !(Array.isArray(saved) && saved.length === stages.length)) {
    throw new InvalidParamsError(
      "state.stages",
      `must be an array with one entry per stage (${stages.length}), got ${JSON.stringify(saved)}`,
    );
  }
  stages.forEach((s, i) => {
    if (s.historyWindow !== undefined) s.loadState?.(st.recent);
    else if (saved?.[i] !== undefined && saved[i] !== null) s.loadState?.(saved[i]);
  });
  return new SamplerChain(p, stages, stream, step, st.recent);
}
