import type { RowComparison } from "./compareRows.js";
import { InvalidParamsError } from "./errors.js";

/** Order statistics of a set of values (linear interpolation between closest ranks, numpy's default). */
export interface Distribution {
  mean: number;
  /** Standard error of the mean: sample standard deviation / √n (0 for one value). */
  se: number;
  min: number;
  p0_1: number;
  p1: number;
  p5: number;
  p10: number;
  median: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** The summary of a model comparison (see {@link createComparisonStats}). */
export interface ComparisonSummary {
  rows: number;
  /** KL(base ‖ new) over every row, nats. */
  kl: Distribution;
  /** Fraction of rows whose top-1 tokens agree, ± its standard error √(r(1 − r)/n). */
  top1Same: { ratio: number; se: number };
  /** Only when at least one row had a target. */
  targets?: {
    /** Rows with a target. */
    scored: number;
    pplBase: number;
    pplNew: number;
    /** pplNew / pplBase, with the standard error of its logarithm (the mean over rows of ln pBase − ln pNew). */
    pplRatio: number;
    lnPplRatioSe: number;
    /** Δp = pNew − pBase of the target; `rms` = √mean(Δp²). */
    dp: Distribution & { rms: number };
  };
}

/** An accumulator of {@link RowComparison}s in row order. */
export interface ComparisonStats {
  /** Adds one row's comparison. */
  add(c: RowComparison): void;
  /** The summary of every row added so far. */
  summary(): ComparisonSummary;
}

/** A growable float64 list: 8 bytes per row, amortized O(1) appends. */
class Values {
  data = new Float64Array(1024);
  size = 0;
  push(v: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = v;
  }
}

/**
 * Accumulates per-row model comparisons (from `compareRowsStrided`) into the summary llama.cpp's
 * KL-divergence mode prints: mean KL ± its standard error with its percentiles and maximum; top-1
 * agreement ± standard error; with targets, both perplexities, their ratio, and Δp's mean, RMS and
 * percentiles.
 *
 * Sums run in float64 in the order rows are added (row order in the CLI), so the summary is the same
 * for any thread count. Percentiles are exact: every row's KL and Δp are kept (16 bytes per row — a
 * million rows take 16 MB, next to the 2 × 4·V bytes per row of the logits compared).
 *
 * Percentile q of n sorted values v: h = (n − 1)·q, v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋ + 1] − v[⌊h⌋]) (Hyndman &
 * Fan's type 7, numpy's default).
 *
 * @returns An empty accumulator.
 * @example
 * ```ts
 * const stats = createComparisonStats();
 * stats.add(compareRows(base, quant, { target: 7 }));
 * stats.summary().kl.mean;
 * ```
 */
export function createComparisonStats(): ComparisonStats {
  const kls = new Values();
  const dps = new Values();
  let same = 0;
  let lnBaseSum = 0; // Σ ln pBase over scored rows
  let lnNewSum = 0;
  // ln pBase − ln pNew (a row's term of ln(pplNew / pplBase)): running mean and sum of squared deviations (Welford 1962), for the ratio's
  // standard error without the cancellation of Σx² − n·mean².
  let lnRatioMean = 0;
  let lnRatioM2 = 0;
  return {
    add(c: RowComparison): void {
      kls.push(c.kl);
      if (c.top1Base === c.top1New) same++;
      if (Number.isNaN(c.pBase)) return;
      dps.push(c.dp);
      const lb = Math.log(c.pBase);
      const ln = Math.log(c.pNew);
      lnBaseSum += lb;
      lnNewSum += ln;
      const d = lb - ln;
      const delta = d - lnRatioMean;
      lnRatioMean += delta / dps.size;
      lnRatioM2 += delta * (d - lnRatioMean);
    },
    summary(): ComparisonSummary {
      const n = kls.size;
      if (n === 0) throw new InvalidParamsError("rows", "a comparison summary needs at least one row");
      const ratio = same / n;
      const out: ComparisonSummary = {
        rows: n,
        kl: distribution(kls),
        top1Same: { ratio, se: Math.sqrt((ratio * (1 - ratio)) / n) },
      };
      const m = dps.size;
      if (m > 0) {
        let sq = 0;
        for (let i = 0; i < m; i++) sq += dps.data[i]! * dps.data[i]!;
        out.targets = {
          scored: m,
          pplBase: Math.exp(-lnBaseSum / m),
          pplNew: Math.exp(-lnNewSum / m),
          pplRatio: Math.exp((lnBaseSum - lnNewSum) / m),
          lnPplRatioSe: standardError(lnRatioM2, m),
          dp: { ...distribution(dps), rms: Math.sqrt(sq / m) },
        };
      }
      return out;
    },
  };
}

/** √(sample variance / n) from the sum of squared deviations from the mean; 0 for n < 2. */
function standardError(sumSqDev: number, n: number): number {
  if (n < 2) return 0;
  if (Number.isNaN(sumSqDev)) return Number.POSITIVE_INFINITY; // an infinite value: ∞ − ∞
  return Math.sqrt(sumSqDev / (n - 1) / n);
}

function distribution(values: Values): Distribution {
  const n = values.size;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values.data[i]!;
  const mean = sum / n;
  let sumSqDev = 0; // two passes: the values are kept anyway
  for (let i = 0; i < n; i++) sumSqDev += (values.data[i]! - mean) ** 2;
  // A sorted copy: the accumulator keeps adding in row order after a summary.
  const sorted = values.data.slice(0, n).sort();
  const at = (q: number): number => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    const a = sorted[lo]!;
    const b = sorted[hi]!;
    return a === b ? a : a + (h - lo) * (b - a);
  };
  return {
    mean,
    se: standardError(sumSqDev, n),
    min: sorted[0]!,
    p0_1: at(0.001),
    p1: at(0.01),
    p5: at(0.05),
    p10: at(0.1),
    median: at(0.5),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
    p99_9: at(0.999),
    max: sorted[n - 1]!,
  };
}
