import type { StreamTotals } from "./poolTypes.js";
import type { TaskOutput } from "./protocol.js";

/**
 * The totals of a streaming run over every row delivered so far, accumulated in global row order: rows
 * delivered, and for score jobs the rows scored and Σ −logprob. The sum is Neumaier-compensated, so the
 * total is the same for any batch split or thread count.
 */
export class RunningTotals {
  #rows = 0;
  #scored = 0;
  #nllSum = 0;
  #compensation = 0; // Neumaier's running compensation for #nllSum

  /** Adds a delivered output; `skipped` holds the global rows skipped as bad (not counted). */
  add(o: TaskOutput, skipped: ReadonlySet<number> | undefined): void {
    this.#rows += o.rows - (skipped?.size ?? 0);
    if (o.kind !== "score" || o.logprobs === undefined || o.targets === undefined) return;
    const lps = o.logprobs;
    const tg = o.targets;
    let sum = this.#nllSum;
    let compensation = this.#compensation;
    for (let r = 0; r < o.rows; r++) {
      if (tg[r]! < 0 || skipped?.has(o.firstRow + r)) continue;
      const x = -lps[r]!;
      if (Number.isNaN(x)) continue;
      this.#scored++;
      const t = sum + x;
      compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
    }
    this.#nllSum = sum;
    this.#compensation = compensation;
  }

  /** The totals so far (a fresh object: each result keeps its own). */
  snapshot(): StreamTotals {
    return { rows: this.#rows, scored: this.#scored, nllSum: this.#nllSum + this.#compensation };
  }
}
