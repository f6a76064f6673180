import { checkBatchShape } from "./checkBatchShape.js";
import { checkCount, MAX_TOP_N } from "./checkCount.js";
import { checkRow } from "./checkRow.js";
import { createSampler } from "./createSampler.js";
import type { LogitstreamError } from "./errors.js";
import { InvalidParamsError } from "./errors.js";
import { type LoadedRow, loadRow } from "./kernels/dispatch.js";
import type { SamplerChain } from "./samplerChain.js";
import type { SamplerParams } from "./samplerParams.js";
import type { RowView } from "./stageFastPath.js";

/** Options of {@link sampleBatch}. */
export interface SampleBatchOptions {
  /** Global index of row 0; row r uses RNG stream `firstRow + r` (default 0). */
  firstRow?: number;
  /** Top-N raw logprobs per row, integer in [0, MAX_TOP_N = 4096] (default 0); N > vocab gives vocab entries. */
  logprobs?: number;
  /** Also report the logprob under the processed distribution. */
  processed?: boolean;
  /** `"skip"`: a bad row gets token −1 (logprob NaN, rank 0) and its typed error lands in `errors`. */
  onError?: "throw" | "skip";
}

/** What {@link sampleBatch} returns (one entry per row; `rows × min(N, vocab)` for the top arrays, most likely first). */
export interface SampleBatchResult {
  tokens: Int32Array;
  logprobs: Float64Array;
  ranks: Int32Array;
  topTokens?: Int32Array;
  topLogprobs?: Float64Array;
  processedLogprobs?: Float64Array;
  errors: LogitstreamError[];
}

/**
 * Samples one token per row of a row-major `rows × vocab` batch.
 *
 * Row r is sampled as a fresh sampler would: RNG stream `firstRow + r`, step 0, empty penalty window,
 * so results depend only on the row, its params and its global index — never on how a job is split
 * into batches or workers. Per-row params are allowed (`params[r]`); every params object is validated
 * before any row is touched (an invalid one throws {@link InvalidParamsError} even with `"skip"`).
 *
 * @param data - Logits, `rows × vocab` row-major (may be a view of a SharedArrayBuffer).
 * @param rows - Number of rows, integer ≥ 0.
 * @param vocab - Vocabulary size V, integer ≥ 1.
 * @param params - One params object for all rows, or one per row.
 * @param opts - See {@link SampleBatchOptions}.
 * @returns Typed arrays of tokens, raw logprobs, ranks (and top-N / processed logprobs on request).
 * @throws {InvalidLogitsError} / {@link EmptyCandidatesError} naming the global row (unless `"skip"`).
 *
 * @example
 * ```ts
 * const r = sampleBatch(new Float32Array([0, 2, 1, 5, 0, 0]), 2, 3, { temperature: 0 });
 * // r.tokens = [1, 0], r.ranks = [1, 1], r.logprobs ≈ [-0.407606, -0.013386]
 * ```
 */
export function sampleBatch(
  data: Float32Array,
  rows: number,
  vocab: number,
  params: SamplerParams | readonly SamplerParams[],
  opts: SampleBatchOptions = {},
): SampleBatchResult {
  checkBatchShape("sampleBatch", data.length, rows, vocab);
  const firstRow = checkCount("firstRow", opts.firstRow ?? 0, Number.MAX_SAFE_INTEGER);
  // Checked before anything is allocated; more entries than the row has gives the whole row.
  const nTop = Math.min(checkCount("logprobs", opts.logprobs ?? 0, MAX_TOP_N), vocab);
  const processed = opts.processed === true;
  const skip = opts.onError === "skip";
  const perRow = Array.isArray(params);
  if (perRow && params.length !== rows) {
    throw new InvalidParamsError(
      "params",
      `needs one params object per row: got ${params.length} for ${rows} rows`,
    );
  }
  // One sampler per distinct params object, built (and validated) before any row is touched.
  const samplers = new Map<SamplerParams, SamplerChain>();
  const list: readonly SamplerParams[] = perRow
    ? (params as readonly SamplerParams[])
    : [params as SamplerParams];
  for (const p of list) if (!samplers.has(p)) samplers.set(p, createSampler(p) as SamplerChain);
  const single = perRow ? null : samplers.get(params as SamplerParams)!;

  const tokens = new Int32Array(rows);
  const logprobs = new Float64Array(rows);
  const ranks = new Int32Array(rows);
  const topTokens = nTop > 0 ? new Int32Array(rows * nTop) : null;
  const topLps = nTop > 0 ? new Float64Array(rows * nTop) : null;
  const procLps = processed ? new Float64Array(rows) : null;
  const errors: LogitstreamError[] = [];
  const row: RowView = { data, offset: 0, length: vocab, max: 0, index: 0, kernelRow: null };
  const draw = { stream: 0, step: 0, processed };
  const top = { ids: topTokens ?? new Int32Array(0), logprobs: topLps ?? new Float64Array(0), offset: 0 };

  for (let r = 0; r < rows; r++) {
    const offset = r * vocab;
    const globalRow = firstRow + r;
    const sampler = single ?? samplers.get((params as readonly SamplerParams[])[r]!)!;
    let token: number;
    let max: number;
    let logSum: number;
    let loaded: LoadedRow;
    try {
      // One load into the kernel memory: max (with validation) and the raw normalizer (logSoftmax's S).
      loaded = loadRow(data, offset, vocab);
      max = loaded.max;
      if (!Number.isFinite(max)) checkRow(data, offset, vocab, globalRow); // throws the typed error
      logSum = loaded.normalize(1, false).logSum;
      sampler.reset();
      row.offset = offset;
      row.max = max;
      row.index = globalRow;
      row.kernelRow = loaded;
      draw.stream = globalRow;
      token = sampler.drawRow(row, draw);
    } catch (error) {
      if (!skip) throw error;
      errors.push(error as LogitstreamError);
      tokens[r] = -1;
      logprobs[r] = Number.NaN;
      ranks[r] = 0;
      if (procLps !== null) procLps[r] = Number.NaN;
      if (topTokens !== null && topLps !== null) {
        for (let k = r * nTop; k < (r + 1) * nTop; k++) {
          topTokens[k] = -1;
          topLps[k] = Number.NaN;
        }
      }
      continue;
    }
    const ut = data[offset + token]!;
    tokens[r] = token;
    logprobs[r] = ut - max - logSum;
    ranks[r] = 1 + loaded.countGt(ut);
    if (procLps !== null) procLps[r] = sampler.lastProcessed;
    if (topTokens !== null && topLps !== null) {
      top.offset = r * nTop;
      sampler.fillTopLogprobs(row, nTop, logSum, top);
    }
  }
  const result: SampleBatchResult = { tokens, logprobs, ranks, errors };
  if (topTokens !== null && topLps !== null) {
    result.topTokens = topTokens;
    result.topLogprobs = topLps;
  }
  if (procLps !== null) result.processedLogprobs = procLps;
  return result;
}
