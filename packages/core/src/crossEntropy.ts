import { allocOutput } from "./allocOutput.js";
import { checkRow } from "./checkRow.js";
import { expSum } from "./expSum.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";
import {
  checkStridedOut,
  checkStridedRow,
  checkStridedTarget,
  rowFits,
  rowLength,
  type StridedRow,
} from "./stridedRow.js";

/** Options of {@link crossEntropyStrided}: the row ({@link StridedRow}), the target, and where the gradient goes. */
export interface CrossEntropyStridedOptions extends StridedRow {
  /** Token id: an integer in [0, V). */
  target: number;
  /** Receives the V gradient values from `gradOffset`; `null` or omitted (the default): the loss alone. */
  grad?: Float32Array | null;
  /** Index in `grad` of the first value written: an integer ≥ 0 (default 0; unused without `grad`). */
  gradOffset?: number;
}

/**
 * Cross-entropy loss of one logit row against a target token, `−log softmax(u)_t = logSumExp(u) − u_t`
 * (float64), and optionally its gradient with respect to the logits, `softmax(u) − onehot(t)`, written
 * into `grad` without allocating.
 *
 * Works on raw logits (T = 1); for a tempered loss pass `u/T`, and divide the gradient by T for the
 * gradient with respect to `u`. A banned (-Infinity) target gives loss `+Infinity` (its gradient is
 * still `softmax − onehot`). Uses the fixed-order float64 sum of the softmax family, so
 * `loss = −logSoftmax(u)[t]` in float64.
 *
 * @param options - The row, the target and the gradient's window:
 *   - `data` — logits (finite numbers or -Infinity);
 *   - `offset` — index of the row's first element in `data` (default 0);
 *   - `length` — row length V ≥ 1 (default `data.length − offset`: the rest of the buffer);
 *   - `target` — token id, an integer in [0, V);
 *   - `grad` — receives V gradient values (each in [-1, 1], summing to 0) from `gradOffset` (default 0),
 *     or `null` / omitted (default) for the loss alone;
 *   - `row` — global row index named in errors (default -1: unknown).
 * @returns The loss in nats, in [0, +Infinity].
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidTargetError} target a number that is not an integer in [0, V).
 * @throws {InvalidParamsError} `target` not a number; `data` or `grad` not a Float32Array; `offset`,
 *   `length` or `gradOffset` not an integer ≥ 0; a row or gradient window outside its buffer (naming the
 *   field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * const g = new Float32Array(2);
 * crossEntropyStrided({ data: new Float32Array([0, 0]), target: 1, grad: g }); // 0.6931471805599453 (ln 2); g = [0.5, -0.5]
 * crossEntropyStrided({ data: batch, offset: 2 * V, length: V, target: targets[2], row: 2 }); // loss of row 2 alone
 * ```
 */
export function crossEntropyStrided(options: CrossEntropyStridedOptions): number {
  const { data, target } = options;
  const offset = options.offset ?? 0;
  const length = rowLength(options, offset);
  const grad = options.grad ?? null;
  const gradOffset = options.gradOffset ?? 0;
  const row = options.row ?? -1;
  if (!rowFits(data, offset, length)) checkStridedRow(data, offset, length, row); // throws for a bad field, window or row
  const max = checkRow(data, offset, length, row);
  if (!(Number.isInteger(target) && target >= 0 && target < length)) checkStridedTarget(target, length, row); // throws
  if (
    grad !== null &&
    !(
      grad instanceof Float32Array &&
      Number.isInteger(gradOffset) &&
      gradOffset >= 0 &&
      gradOffset + length <= grad.length
    )
  ) {
    checkStridedOut("grad", grad, Float32Array, gradOffset, length, row, "gradOffset"); // throws
  }
  const sum = expSum(data, offset, length, max, grad, gradOffset);
  if (grad !== null) {
    const scale = 1 / sum;
    const end = gradOffset + length;
    for (let i = gradOffset; i < end; i++) grad[i] = grad[i]! * scale;
    // Subtract the one-hot in float64 from the unrounded probability of the target.
    grad[gradOffset + target] = portableExp(data[offset + target]! - max) * scale - 1;
  }
  return portableLog(sum) - (data[offset + target]! - max);
}

/**
 * Cross-entropy of a logit row against a target — the friendly form of {@link crossEntropyStrided}.
 *
 * @param logits - Raw logits (T = 1), length V ≥ 1.
 * @param target - Token id, integer in [0, V).
 * @returns `loss` = −log p(target) in nats, and `gradient` = softmax(logits) − onehot(target).
 *
 * @example
 * ```ts
 * crossEntropy(new Float32Array([-1, 2, 0.5, -0.5]), 1);
 * // { loss: 0.303803… (= −ln 0.738006), gradient: ≈ [0.036743, -0.261994, 0.164671, 0.060579] }
 * ```
 */
export function crossEntropy(logits: Float32Array, target: number): { loss: number; gradient: Float32Array } {
  const gradient = allocOutput(logits.length);
  // Every field, in declaration order, as the library's other callers write it (see StridedRow).
  const loss = crossEntropyStrided({
    data: logits,
    offset: 0,
    length: logits.length,
    target,
    grad: gradient,
    gradOffset: 0,
    row: -1,
  });
  return { loss, gradient };
}
