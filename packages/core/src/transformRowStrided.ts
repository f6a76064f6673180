import { allocOutput } from "./allocOutput.js";
import { argmaxStrided } from "./argmaxStrided.js";
import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import type { softmaxKernel } from "./kernels/dispatch.js";
import type { SoftmaxOptions, SoftmaxStridedOptions } from "./softmax.js";
import { checkStridedOut, checkStridedRow, rowFits, rowLength } from "./stridedRow.js";

/** Which transform {@link transformRowStrided} runs: its name in errors, its kernel, and its one-hot at T = 0. */
export interface RowTransform {
  fn: string;
  kernel: typeof softmaxKernel;
  /** Written on the first maximum at T = 0. */
  hot: number;
  /** Written everywhere else at T = 0. */
  cold: number;
}

/** The row a transform reads and the window it writes: {@link SoftmaxStridedOptions} with every default applied. */
type RowTransformTarget = Required<SoftmaxStridedOptions>;

/**
 * A caller's {@link SoftmaxStridedOptions} with the defaults applied, as one object whose fields are
 * all present and always in the same order — so the property loads of {@link transformRowStrided} see
 * a single object shape (monomorphic) whatever mix of shapes callers of softmaxStrided pass.
 *
 * @param o - The options as given (a missing `data` gives length NaN, reported by the checks).
 * @returns The resolved target.
 * @example
 * ```ts
 * transformTarget({ data, offset: 4, out }); // { data, offset: 4, length: data.length - 4, out, outOffset: 0, temperature: 1, row: -1 }
 * ```
 */
export function transformTarget(o: SoftmaxStridedOptions): RowTransformTarget {
  const offset = o.offset ?? 0;
  return {
    data: o.data,
    offset,
    length: rowLength(o, offset),
    out: o.out,
    outOffset: o.outOffset ?? 0,
    temperature: o.temperature ?? 1,
    row: o.row ?? -1,
  };
}

/**
 * The shared body of softmaxStrided and logSoftmaxStrided, which differ only in their kernel and in
 * the one-hot they write at T = 0 (`hot` on the first maximum, `cold` elsewhere): the temperature
 * check, one comparison chain that passes every well-formed call (field types, integer offsets, both
 * windows) and sends the rest to the slow path for the typed error, the greedy case, and the kernel,
 * whose max pass doubles as validation — a row is rescanned (checkRow, for the typed error naming the
 * bad value) only when the kernel says its max is not finite.
 *
 * @param t - The transform.
 * @param r - The row and the output window, every field given (see {@link transformTarget}).
 * @example
 * ```ts
 * transformRowStrided(SOFTMAX, { data, offset: 0, length: V, out, outOffset: 0, temperature: 1, row: -1 });
 * ```
 */
export function transformRowStrided(t: RowTransform, r: RowTransformTarget): void {
  const { data, offset, length, out, outOffset, temperature, row } = r;
  checkTemperature(temperature, true, t.fn);
  if (
    !(
      rowFits(data, offset, length) &&
      out instanceof Float32Array &&
      Number.isInteger(outOffset) &&
      outOffset >= 0 &&
      outOffset + length <= out.length
    )
  ) {
    checkStridedRow(data, offset, length, row); // throws for a bad field, window or row
    checkStridedOut("out", out, Float32Array, outOffset, length, row); // throws
  }
  if (temperature === 0) {
    const max = checkRow(data, offset, length, row);
    const winner = outOffset + argmaxStrided(data, offset, length, max);
    out.fill(t.cold, outOffset, outOffset + length);
    out[winner] = t.hot;
    return;
  }
  if (!Number.isFinite(t.kernel(data, offset, length, out, outOffset, temperature))) {
    checkRow(data, offset, length, row); // throws the typed error naming the bad value
  }
}

/**
 * The friendly form of a row transform (`softmax(row)`, `logSoftmax(row)`): the whole row into a new
 * array of its length (see `allocOutput`).
 * @param t - The transform.
 * @param data - The row.
 * @param options - `temperature` (default 1).
 * @returns A new Float32Array of `data.length` values.
 */
export function transformRow(
  t: RowTransform,
  data: Float32Array,
  options: SoftmaxOptions | undefined,
): Float32Array {
  const out = allocOutput(data.length);
  transformRowStrided(t, {
    data,
    offset: 0,
    length: data.length,
    out,
    outOffset: 0,
    temperature: options?.temperature ?? 1,
    row: -1,
  });
  return out;
}
