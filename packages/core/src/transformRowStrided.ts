import { argmaxStrided } from "./argmaxStrided.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import type { softmaxKernel } from "./kernels/dispatch.js";

/** Which transform {@link transformRowStrided} runs: its name in errors, its kernel, and its one-hot at T = 0. */
export interface RowTransform {
  fn: string;
  kernel: typeof softmaxKernel;
  /** Written on the first maximum at T = 0. */
  hot: number;
  /** Written everywhere else at T = 0. */
  cold: number;
}

/** The row a transform reads and the window it writes (the arguments of softmaxStrided / logSoftmaxStrided). */
interface RowTransformTarget {
  data: Float32Array;
  offset: number;
  length: number;
  out: Float32Array;
  outOffset: number;
  temperature: number;
  /** Global row index named in errors. */
  row: number;
}

/**
 * The shared body of softmaxStrided and logSoftmaxStrided, which differ only in their kernel and in
 * the one-hot they write at T = 0 (`hot` on the first maximum, `cold` elsewhere): the temperature
 * check, the greedy case, the window checks, and the kernel, whose max pass doubles as validation —
 * a row is rescanned (checkRow, for the typed error naming the bad value) only when the kernel says
 * its max is not finite.
 *
 * @param t - The transform.
 * @param r - The row and the output window.
 * @example
 * ```ts
 * transformRowStrided(SOFTMAX, { data, offset: 0, length: V, out, outOffset: 0, temperature: 1, row: -1 });
 * ```
 */
export function transformRowStrided(t: RowTransform, r: RowTransformTarget): void {
  const { data, offset, length, out, outOffset, temperature, row } = r;
  checkTemperature(temperature, true, t.fn);
  if (temperature === 0) {
    const max = checkRow(data, offset, length, row);
    checkOutWindow(out, outOffset, length);
    const winner = outOffset + argmaxStrided(data, offset, length, max);
    out.fill(t.cold, outOffset, outOffset + length);
    out[winner] = t.hot;
    return;
  }
  if (
    !(
      offset >= 0 &&
      length > 0 &&
      offset + length <= data.length &&
      outOffset >= 0 &&
      outOffset + length <= out.length
    )
  ) {
    checkRow(data, offset, length, row); // throws for a bad row window or an empty row
    checkOutWindow(out, outOffset, length); // throws
  }
  if (!Number.isFinite(t.kernel(data, offset, length, out, outOffset, temperature))) {
    checkRow(data, offset, length, row); // throws the typed error naming the bad value
  }
}
