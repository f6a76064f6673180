import { checkRow } from "./checkRow.js";
import { InvalidParamsError } from "./errors.js";
import { expSum } from "./expSum.js";
import { portableExp } from "./portableExp.js";
import { portableLog } from "./portableLog.js";
import { checkStridedRow, restLength, rowFits } from "./stridedRow.js";

/**
 * Options of {@link klDivergenceStrided}: two logit rows of one length, each in its own buffer — the
 * fields of `StridedRow` with the buffer and offset named after the distribution they define.
 */
export interface KlDivergenceStridedOptions {
  /** Logits of P (e.g. the teacher): finite numbers or -Infinity. */
  p: Float32Array;
  /** Index of P's first logit in `p`: an integer ≥ 0 (default 0). */
  pOffset?: number;
  /** Logits of Q (e.g. the student): finite numbers or -Infinity. */
  q: Float32Array;
  /** Index of Q's first logit in `q`: an integer ≥ 0 (default 0). */
  qOffset?: number;
  /** Row length V of both rows: an integer ≥ 1 (default `p.length − pOffset`; `q` must hold as many from `qOffset`). */
  length?: number;
  /** Global row index named in errors (default -1: unknown). */
  row?: number;
}

const P_NAMES = { data: "p", offset: "pOffset" };
const Q_NAMES = { data: "q", offset: "qOffset" };

/**
 * Kullback–Leibler divergence `KL(P ‖ Q) = Σ p_i (log p_i − log q_i)`, in nats, between the
 * distributions `P = softmax(a)` and `Q = softmax(b)` defined by two rows of raw logits.
 *
 * Inputs are logits (e.g. a teacher row `a` and a student row `b` for distillation), not probabilities.
 * A token banned in P (`a_i = -Infinity`) contributes 0; a token allowed in P but banned in Q gives
 * `+Infinity`. Result ≥ 0 (tiny negative rounding is clamped to 0); 0 when `a − b` is constant.
 *
 * Method: with `x_i = a_i − max a`, `y_i = b_i − max b`, `S_a = Σ exp(x_i)`, `S_b = Σ exp(y_i)`:
 * `KL = (Σ exp(x_i)(x_i − y_i)) / S_a − log S_a + log S_b`, all in float64, max-subtracted.
 *
 * @param options - The two rows:
 *   - `p`, `pOffset` — logits of P and the index of its first logit (default 0);
 *   - `q`, `qOffset` — logits of Q and the index of its first logit (default 0);
 *   - `length` — V ≥ 1, both rows (default `p.length − pOffset`, the rest of P's buffer; `q` must hold
 *     that many values from `qOffset`);
 *   - `row` — global row index named in errors (default -1: unknown).
 * @returns KL in nats, in [0, +Infinity].
 * @throws {InvalidLogitsError} either row empty, NaN, +Infinity, or all -Infinity.
 * @throws {InvalidParamsError} `p` or `q` not a Float32Array; `pOffset`, `qOffset` or `length` not an
 *   integer ≥ 0; a window outside its buffer (naming the field, and the row when `row` ≥ 0).
 *
 * @example
 * ```ts
 * klDivergenceStrided({ p: new Float32Array([0, 0]), q: new Float32Array([Math.log(3), 0]) });
 * // ≈ 0.143841 (= ½ ln(½ / ¾) + ½ ln(½ / ¼), up to the float32 rounding of ln 3)
 * klDivergenceStrided({ p: teacher, pOffset: r * V, q: student, qOffset: r * V, length: V, row: r }); // row r of two batches
 * ```
 */
export function klDivergenceStrided(options: KlDivergenceStridedOptions): number {
  const { p, q } = options;
  const pOffset = options.pOffset ?? 0;
  const qOffset = options.qOffset ?? 0;
  const length = options.length ?? restLength(p, pOffset);
  const row = options.row ?? -1;
  if (!(rowFits(p, pOffset, length) && rowFits(q, qOffset, length))) {
    checkStridedRow(p, pOffset, length, row, P_NAMES); // throws for a bad field, window or row
    checkStridedRow(q, qOffset, length, row, Q_NAMES);
  }
  const maxP = checkRow(p, pOffset, length, row);
  const maxQ = checkRow(q, qOffset, length, row);
  const sumP = expSum(p, pOffset, length, maxP, null, 0);
  const sumQ = expSum(q, qOffset, length, maxQ, null, 0);
  let acc = 0; // float64, index order
  for (let i = 0; i < length; i++) {
    const a = p[pOffset + i]!;
    if (a === Number.NEGATIVE_INFINITY) continue;
    const b = q[qOffset + i]!;
    if (b === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const x = a - maxP;
    const e = portableExp(x);
    if (e > 0) acc += e * (x - (b - maxQ));
  }
  const kl = acc / sumP - portableLog(sumP) + portableLog(sumQ);
  return Math.max(kl, 0);
}

/**
 * KL divergence `KL(softmax(p) ‖ softmax(q))` in nats — the friendly form of {@link klDivergenceStrided}.
 *
 * @param p - Logits of P (e.g. the teacher), length V ≥ 1.
 * @param q - Logits of Q (e.g. the student), length V.
 * @returns KL in [0, +Infinity].
 * @throws {InvalidParamsError} when the lengths differ.
 *
 * @example
 * ```ts
 * klDivergence(new Float32Array([1, 2]), new Float32Array([11, 12])); // 0 (shift-invariant)
 * ```
 */
export function klDivergence(p: Float32Array, q: Float32Array): number {
  if (p.length !== q.length) {
    throw new InvalidParamsError(
      "q",
      `klDivergence needs rows of equal length, got ${p.length} and ${q.length}`,
    );
  }
  // Every field, in declaration order, as the library's other callers write it.
  return klDivergenceStrided({ p, pOffset: 0, q, qOffset: 0, length: p.length, row: -1 });
}
