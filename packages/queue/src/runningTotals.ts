import type { StreamTotals } from "@logitstream/pool";

/** The running totals and their compensation, as a coordinator persists them between tasks. */
export interface TotalsState {
  rows: number;
  scored: number;
  /** Neumaier's running sum and compensation of −logprob over scored rows, in global row order. */
  sum: number;
  compensation: number;
}

export const EMPTY_TOTALS: TotalsState = { rows: 0, scored: 0, sum: 0, compensation: 0 };

/**
 * Adds one task's rows to the job's totals exactly as the local pool does (Neumaier summation in
 * global row order), so `score`'s summary line has the same bits as a local run's.
 *
 * Method: Neumaier's improved Kahan–Babuška summation (Neumaier 1974), one value at a time in row order.
 *
 * @param state totals before the task (not modified)
 * @param rows rows the task delivered (skipped rows excluded)
 * @param nll −logprob of each scored row of the task, in row order
 * @example addTask(EMPTY_TOTALS, 2, Float64Array.of(0.5, 0.25)) // { rows: 2, scored: 2, sum: 0.75, compensation: 0 }
 */
export function addTask(state: TotalsState, rows: number, nll: Float64Array): TotalsState {
  let { sum, compensation } = state;
  for (let i = 0; i < nll.length; i++) {
    const x = nll[i]!;
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return { rows: state.rows + rows, scored: state.scored + nll.length, sum, compensation };
}

/** The totals as the pool reports them (`StreamTotals`). */
export function streamTotals(state: TotalsState): StreamTotals {
  return { rows: state.rows, scored: state.scored, nllSum: state.sum + state.compensation };
}
