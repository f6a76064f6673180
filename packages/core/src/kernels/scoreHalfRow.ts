import { checkRow } from "../checkRow.js";
import { InvalidParamsError, InvalidTargetError } from "../errors.js";
import { decodeHalfKernel, scoreHalfKernel } from "./dispatch.js";

/** Score of one row: see {@link scoreHalfRow}. */
export interface HalfRowScore {
  /** log p(target) under softmax of the row (NaN when target is -1). */
  logprob: number;
  /** 1 + number of logits strictly greater than the target's (0 when target is -1). */
  rank: number;
  /** Entropy −Σ p log p of the row's distribution (nats). */
  entropy: number;
  /** log Σ exp(u_i). */
  logSumExp: number;
}

/**
 * Scores one row given as little-endian float16 / bfloat16 bytes — target log-probability, rank and
 * entropy — decoding straight into the kernels' memory (no float32 copy of the row in JavaScript).
 *
 * Same numbers as decoding with {@link decodeHalf} and scoring the float32 row with the kernels:
 * max (with the validity check) → exp-and-sum with Σ e·(u − max) for the entropy → count of logits
 * strictly above the target's for the rank.
 *
 * @param bytes - Encoded row: `length` × 2 bytes from `byteOffset`.
 * @param byteOffset - Byte index of the row's first value.
 * @param length - V ≥ 1.
 * @param dtype - `"f16"` or `"bf16"`.
 * @param target - Token id in [0, V), or -1 for none (entropy only).
 * @param row - Global row index named in errors (default -1).
 * @throws {InvalidLogitsError} empty row, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidTargetError} target outside [0, V) and not -1.
 *
 * @example
 * ```ts
 * // float16 [0, 0, ln 2 ≈ 0.6931] (0x398c): p = [0.25, 0.25, 0.5]
 * scoreHalfRow(new Uint8Array([0, 0, 0, 0, 0x8c, 0x39]), 0, 3, "f16", 2);
 * // { logprob: ≈ -0.6930, rank: 1, entropy: ≈ 1.0397, logSumExp: ≈ 1.3864 }
 * ```
 */
export function scoreHalfRow(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  target: number,
  row = -1,
): HalfRowScore {
  if (!(byteOffset >= 0 && length >= 0 && byteOffset + 2 * length <= bytes.length)) {
    throw new InvalidParamsError(
      "byteOffset",
      `${length} values at byte ${byteOffset} exceed ${bytes.length} bytes`,
    );
  }
  if (target !== -1 && !(Number.isInteger(target) && target >= 0 && target < length)) {
    throw new InvalidTargetError(row, target, length);
  }
  const s = scoreHalfKernel(bytes, byteOffset, length, dtype, target);
  if (!Number.isFinite(s.max)) {
    // Invalid row: decode it and let checkRow name the problem and its index.
    const decoded = new Float32Array(length);
    decodeHalfKernel(bytes, byteOffset, length, dtype, decoded);
    checkRow(decoded, 0, length, row);
  }
  return { logprob: s.logprob, rank: s.rank, entropy: s.entropy, logSumExp: s.logSumExp };
}
