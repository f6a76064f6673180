import { checkBatchShape } from "./checkBatchShape.js";
import { checkCount } from "./checkCount.js";
import { checkTemperature } from "./checkTemperature.js";
import { InvalidParamsError } from "./errors.js";
import { LOG_SOFTMAX } from "./logSoftmax.js";
import { SOFTMAX } from "./softmax.js";
import { transformRowStrided } from "./transformRowStrided.js";

/** Options of {@link softmaxBatch}. */
export interface SoftmaxBatchOptions {
  /** Write log-probabilities (`logSoftmax`) instead of probabilities. Default false. */
  log?: boolean;
  /** T ≥ 0, default 1; 0 = greedy (one-hot / 0 and -Infinity). */
  temperature?: number;
  /** Global index of row 0, named in errors. Default 0. */
  firstRow?: number;
}

/**
 * Softmax (or log-softmax) of every row of a row-major `rows × vocab` batch into `out` (same layout),
 * without allocating.
 *
 * Each row goes through the body of `softmaxStrided` / `logSoftmaxStrided`, so row r's output is
 * bit-identical to processing that row alone — whatever the batch size, the row's position, or how a
 * job is split across workers. `out` may be `data` (in place).
 *
 * @param data - `rows × vocab` logits (finite or -Infinity).
 * @param rows - Row count, integer ≥ 0.
 * @param vocab - Row length V, integer ≥ 1.
 * @param out - Receives `rows × vocab` values.
 * @param options - `log`, `temperature`, `firstRow`.
 * @throws {InvalidLogitsError} for the first bad row, naming the global row `firstRow + r`; rows before
 *   it are already written.
 * @throws {InvalidParamsError} bad shape, short `out`, or bad temperature.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * softmaxBatch(new Float32Array([0, 0, 0, Math.log(3)]), 2, 2, out);
 * // out ≈ [0.5, 0.5, 0.25, 0.75]
 * ```
 */
export function softmaxBatch(
  data: Float32Array,
  rows: number,
  vocab: number,
  out: Float32Array,
  options?: SoftmaxBatchOptions,
): void {
  checkBatchShape("softmaxBatch", data.length, rows, vocab);
  if (out.length < rows * vocab) {
    throw new InvalidParamsError(
      "out",
      `softmaxBatch: out holds ${out.length} values, needs ${rows * vocab}`,
    );
  }
  const temperature = checkTemperature(options?.temperature ?? 1, true, "softmaxBatch");
  const firstRow = checkCount("firstRow", options?.firstRow ?? 0, Number.MAX_SAFE_INTEGER);
  const log = options?.log ?? false;
  // The shared body of softmaxStrided / logSoftmaxStrided, with one resolved target reused for every
  // row: no allocation per row, and the body's property loads see only the resolved shape. (Through
  // softmaxStrided they would also see every shape its other callers pass: polymorphic loads cost a
  // V = 64 row ~5–10%, measured.)
  const t = log ? LOG_SOFTMAX : SOFTMAX;
  const target = { data, offset: 0, length: vocab, out, outOffset: 0, temperature, row: firstRow };
  for (let r = 0; r < rows; r++) {
    target.offset = r * vocab;
    target.outOffset = target.offset;
    target.row = firstRow + r;
    transformRowStrided(t, target);
  }
}
