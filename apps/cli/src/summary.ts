import type { StreamTotals } from "@logitstream/pool";
import { encodeRecords } from "@logitstream/wire";

/**
 * score's last line, `{"summary": {"rows", "mean_nll", "perplexity"}}`, from the pool's running totals
 * (Σ −logprob accumulated in global row order, so the same for every --threads). `rows` counts the
 * rows that had a target; with none, mean_nll and perplexity are NaN (null in NDJSON).
 */
export function summaryBytes(totals: StreamTotals | undefined, format: "ndjson" | "msgpack"): Uint8Array {
  const rows = totals?.scored ?? 0;
  const meanNll = rows > 0 ? totals!.nllSum / rows : Number.NaN;
  const perplexity = Math.exp(meanNll);
  return encodeRecords([{ summary: { rows, mean_nll: meanNll, perplexity } }], format);
}
