import { argmaxStrided } from "./argmaxStrided.js";
import { checkOutWindow } from "./checkOutWindow.js";
import { checkRow } from "./checkRow.js";
import { checkTemperature } from "./checkTemperature.js";
import type { softmaxKernel } from "./kernels/dispatch.js";

/**
 * The shared body of softmaxStrided and logSoftmaxStrided, which differ only in their kernel and in
 * the one-hot they write at T = 0 (`hot` on the first maximum, `cold` elsewhere): the temperature
 * check, the greedy case, the window checks, and the kernel, whose max pass doubles as validation —
 * a row is rescanned (checkRow, for the typed error naming the bad value) only when the kernel says
 * its max is not finite.
 */
export function transformRowStrided(
  fn: string,
  kernel: typeof softmaxKernel,
  hot: number,
  cold: number,
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset: number,
  temperature: number,
  row: number,
): void {
  checkTemperature(temperature, true, fn);
  if (temperature === 0) {
    const max = checkRow(data, offset, length, row);
    checkOutWindow(out, outOffset, length);
    const winner = outOffset + argmaxStrided(data, offset, length, max);
    out.fill(cold, outOffset, outOffset + length);
    out[winner] = hot;
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
  if (!Number.isFinite(kernel(data, offset, length, out, outOffset, temperature))) {
    checkRow(data, offset, length, row); // throws the typed error naming the bad value
  }
}
