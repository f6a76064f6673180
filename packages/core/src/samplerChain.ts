import type { Candidates } from "./candidates.js";
import { computeProbs, createCandidates, loadCandidates } from "./candidates.js";
import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkRow } from "./checkRow.js";
import type { SampleOptions, SampleResult, Sampler, SamplerState, TopLogprob } from "./createSampler.js";
import { EmptyCandidatesError } from "./errors.js";
import { fillLogprobs } from "./fillLogprobs.js";
import { loadRow } from "./kernels/dispatch.js";
import { portableLog } from "./portableLog.js";
import type { SamplerParams } from "./samplerParams.js";
import type { SamplerStage, SamplingContext } from "./samplerStage.js";
import { createScratch } from "./samplerStage.js";
import type { RowHead, RowView, StageFastPath } from "./stageFastPath.js";
import { fastPathOf } from "./stageFastPath.js";

/** Which draw a {@link SamplerChain.drawRow} is: its RNG position and whether to report the processed logprob. */
interface DrawOptions {
  /** RNG stream (global row in a batch, request id in generation). */
  stream: number;
  /** RNG step (0 in a batch, token position in generation). */
  step: number;
  /** Compute the processed logprob of the token (`lastProcessed`); disables the terminal fast path. */
  processed: boolean;
}

/** Where {@link SamplerChain.fillTopLogprobs} writes: `n` entries from `offset` of both arrays. */
interface TopLogprobsOut {
  ids: Int32Array;
  logprobs: Float64Array;
  offset: number;
}

/**
 * The plan a chain computes once, when it is built (see `StageFastPath`): the leading stages whose
 * effect is identity or one temperature amount to softmax(row / `temperature`); `lead` is the index
 * of the first stage after them, whose fast path may start a draw.
 */
interface ChainPlan {
  temperature: number;
  lead: number;
  /** The lead's `fromRow`, if it has one. */
  entry: StageFastPath | null;
  /** The lead's `pickFromRow` when the lead is the terminal (the whole chain is one SIMD pick). */
  pick: StageFastPath | null;
}

function planChain(stages: readonly SamplerStage[]): ChainPlan {
  let temperature = 1;
  let scaled = false;
  let lead = 0;
  for (; lead < stages.length; lead++) {
    const effect = fastPathOf(stages[lead]!)?.effect;
    if (effect === undefined) break;
    if (effect.kind === "identity") continue;
    if (effect.kind === "scale" && !scaled) {
      temperature = effect.temperature;
      scaled = true;
      continue;
    }
    break;
  }
  const fp = lead < stages.length ? fastPathOf(stages[lead]!) : undefined;
  return {
    temperature,
    lead,
    entry: fp?.fromRow !== undefined ? fp : null,
    pick: fp?.pickFromRow !== undefined && lead === stages.length - 1 ? fp : null,
  };
}

const NO_TOKENS = new Int32Array(0);

/**
 * The sampler chain: an immutable list of stages (llama.cpp's `llama_sampler_chain`), one plan for
 * the built-in stages' fast paths computed at construction, the RNG position and the accepted
 * tokens. `createSampler` builds it; `sampleBatch` drives {@link SamplerChain.drawRow} directly.
 */
export class SamplerChain implements Sampler {
  readonly params: Readonly<Required<SamplerParams>>;
  readonly stages: readonly SamplerStage[];
  /** The processed logprob of the last {@link SamplerChain.drawRow} that asked for it. */
  lastProcessed = Number.NaN;
  private stream: number;
  private step: number;
  private readonly plan: ChainPlan;
  /** Most recent accepted tokens kept in `state().recent` (the stages' largest `historyWindow`). */
  private readonly historyWindow: number;
  private history = new Int32Array(16);
  private historyLength = 0;
  private readonly cands: Candidates = createCandidates();
  private readonly ctx: SamplingContext;
  private readonly head: RowHead = { ids: new Int32Array(0), size: 0 };
  private readonly view: RowView = {
    data: new Float32Array(0),
    offset: 0,
    length: 0,
    max: 0,
    index: -1,
    kernelRow: null,
  };
  private readonly draw: DrawOptions = { stream: 0, step: 0, processed: false };
  private topIds = new Int32Array(0);
  private topLps = new Float64Array(0);

  /**
   * @param params - Resolved params (reported as `params`).
   * @param stages - The stages in order, the last one terminal; owned by the chain from now on.
   * @param stream - RNG stream.
   * @param step - RNG step.
   * @param history - Accepted tokens to start from (oldest first).
   */
  constructor(
    params: Readonly<Required<SamplerParams>>,
    stages: readonly SamplerStage[],
    stream: number,
    step: number,
    history: ArrayLike<number> = NO_TOKENS,
  ) {
    this.params = params;
    this.stages = Object.freeze(stages.slice());
    this.stream = stream;
    this.step = step;
    this.plan = planChain(this.stages);
    let window = 0;
    for (const s of this.stages) window = Math.max(window, s.historyWindow ?? 0);
    this.historyWindow = window;
    for (let i = 0; i < history.length; i++) this.push(history[i]!);
    this.ctx = {
      row: -1,
      vocab: 0,
      seed: params.seed,
      stream,
      step,
      history: NO_TOKENS,
      scratch: createScratch(),
    };
  }

  /**
   * Runs the chain on one validated row and returns the token; sets `lastProcessed` when asked.
   * Does not advance the sampler. The row's head (see {@link SamplerChain.fillTopLogprobs}) is
   * recorded on the way.
   *
   * @param row - The row (its max found, validated; with its kernel handle for the fast paths).
   * @param draw - RNG position and whether the processed logprob is wanted.
   * @returns The token id.
   * @throws {EmptyCandidatesError} when a stage leaves nothing.
   */
  drawRow(row: RowView, draw: DrawOptions): number {
    const c = this.cands;
    const ctx = this.ctx;
    ctx.row = row.index;
    ctx.vocab = row.length;
    ctx.stream = draw.stream;
    ctx.step = draw.step;
    ctx.history = this.historyLength === 0 ? NO_TOKENS : this.history.subarray(0, this.historyLength);
    const head = this.head;
    head.size = 0;
    const plan = this.plan;
    if (row.kernelRow !== null && !draw.processed && plan.pick !== null) {
      const token = plan.pick.pickFromRow!(row, plan.temperature, ctx, head);
      if (token >= 0) return token;
    }
    let first = 0; // the first stage to run
    if (
      row.kernelRow !== null &&
      plan.entry !== null &&
      plan.entry.fromRow!(c, row, plan.temperature, head)
    ) {
      first = plan.lead + 1;
    } else {
      loadCandidates(c, row.data, row.offset, row.length, row.max);
    }
    const stages = this.stages;
    for (let s = first; s < stages.length; s++) {
      const stage = stages[s]!;
      stage.apply(c, ctx);
      if (c.size === 0) throw new EmptyCandidatesError(row.index, stage.name);
    }
    const sel = c.selected;
    if (sel < 0 || sel >= c.size) throw new EmptyCandidatesError(row.index, stages[stages.length - 1]!.name);
    if (draw.processed) {
      computeProbs(c);
      this.lastProcessed = portableLog(c.probs[sel]! / c.probsSum);
    }
    return c.ids[sel]!;
  }

  /**
   * The n most likely raw tokens of the row of the last drawRow and their logprobs, as
   * `LoadedRow.topLogprobs` writes them (the row's kernel handle must still be live). When a fast path found the
   * row's first k ≥ n tokens in the kernels' order (top-k's candidates, greedy's argmax), they are
   * the first n of those (the same total order, so the same ids and values): no second pass.
   *
   * @param row - The row of the last draw.
   * @param n - How many entries.
   * @param logSum - log Σ exp(u_i − max) of the row.
   * @param out - Where to write them.
   */
  fillTopLogprobs(row: RowView, n: number, logSum: number, out: TopLogprobsOut): void {
    const head = this.head;
    if (n > head.size) {
      row.kernelRow!.topLogprobs({
        data: row.data,
        offset: row.offset,
        n,
        logSum,
        outIds: out.ids,
        outLogprobs: out.logprobs,
        outOffset: out.offset,
      });
      return;
    }
    out.ids.set(head.ids.subarray(0, n), out.offset);
    fillLogprobs({
      data: row.data,
      offset: row.offset,
      max: row.max,
      logSum,
      outIds: out.ids,
      outLogprobs: out.logprobs,
      outOffset: out.offset,
      written: n,
      n,
    });
  }

  sample(logits: Float32Array, opts?: SampleOptions): SampleResult {
    return this.sampleStrided(logits, 0, logits.length, opts);
  }

  sampleStrided(data: Float32Array, offset: number, length: number, opts: SampleOptions = {}): SampleResult {
    const index = opts.row ?? -1;
    // Checked before anything is allocated; more entries than the row has gives the whole row.
    const nTop = Math.min(checkCount("logprobs", opts.logprobs ?? 0, MAX_TOP_N), length);
    const processed = opts.processed === true;
    // One load into the kernel memory: max (with validation) and the raw normalizer (logSoftmax's S).
    if (!(offset >= 0 && length > 0 && offset + length <= data.length)) checkRow(data, offset, length, index);
    const loaded = loadRow(data, offset, length);
    const max = loaded.max;
    if (!Number.isFinite(max)) checkRow(data, offset, length, index); // throws the typed error
    const logSum = loaded.normalize(1, false).logSum;
    const row = this.view;
    row.data = data;
    row.offset = offset;
    row.length = length;
    row.max = max;
    row.index = index;
    row.kernelRow = loaded;
    const draw = this.draw;
    draw.stream = this.stream;
    draw.step = this.step;
    draw.processed = processed;
    const token = this.drawRow(row, draw);
    const ut = data[offset + token]!;
    const result: SampleResult = { token, logprob: ut - max - logSum, rank: 1 + loaded.countGt(ut) };
    if (processed) result.processedLogprob = this.lastProcessed;
    if (nTop > 0) {
      if (this.topIds.length < nTop) {
        this.topIds = new Int32Array(nTop);
        this.topLps = new Float64Array(nTop);
      }
      this.fillTopLogprobs(row, nTop, logSum, { ids: this.topIds, logprobs: this.topLps, offset: 0 });
      const top: TopLogprob[] = [];
      for (let k = 0; k < nTop; k++) {
        top.push({ token: this.topIds[k]!, logprob: this.topLps[k]! });
      }
      result.topLogprobs = top;
    }
    row.data = NO_FLOATS; // do not keep the caller's buffer alive
    row.kernelRow = null;
    this.step += 1;
    this.accept(token);
    return result;
  }

  accept(token: number): void {
    this.push(token);
    const stages = this.stages;
    for (let s = 0; s < stages.length; s++) stages[s]!.accept?.(token);
  }

  state(): SamplerState {
    const from = Math.max(0, this.historyLength - this.historyWindow);
    const state: SamplerState = {
      stream: this.stream,
      step: this.step,
      recent: Array.from(this.history.subarray(from, this.historyLength)),
    };
    // Stages whose state is not their token window save it themselves, one slot per stage.
    let stageStates: unknown[] | undefined;
    this.stages.forEach((s, i) => {
      if (s.historyWindow !== undefined || s.saveState === undefined) return;
      stageStates ??= this.stages.map(() => null);
      stageStates[i] = s.saveState();
    });
    if (stageStates !== undefined) state.stages = stageStates;
    return state;
  }

  clone(): Sampler {
    return new SamplerChain(
      this.params,
      this.stages.map((s) => s.clone()),
      this.stream,
      this.step,
      this.history.subarray(0, this.historyLength),
    );
  }

  reset(): void {
    this.step = 0;
    this.historyLength = 0;
    for (const s of this.stages) s.reset?.();
  }

  /** Appends an accepted token to the history. */
  private push(token: number): void {
    if (this.historyLength === this.history.length) {
      const grown = new Int32Array(this.history.length * 2);
      grown.set(this.history);
      this.history = grown;
    }
    this.history[this.historyLength++] = token;
  }
}

const NO_FLOATS = new Float32Array(0);
