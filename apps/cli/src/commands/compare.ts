import type { Command } from "../command.js";
import { bool, str } from "../flags.js";
import { batchFlags, batchOptionsFrom, formatFlags } from "../sharedFlags.js";

/** `logitstream compare`: how far a new model's distributions are from a base model's, row by row. */
export const compare: Command = {
  name: "compare",
  summary: "compare two models' logits: KL, top-1 agreement, Δp per row, then a summary",
  usage: "compare BASE NEW [flags]",
  description: [
    "Reads two logit streams of the same shape in lockstep (row i of BASE with row i of NEW; either may",
    'be "-" for stdin) and writes, per row, {"row", "kl", "top1_base", "top1_new", "top1_same"} — KL(base ‖ new)',
    'in nats, from the logits, and both models\' most likely tokens — plus "target", "p_base", "p_new" and',
    '"dp" (= p_new − p_base) for rows with a target. The last line is',
    '{"summary": {"rows", "kl": {...}, "top1_same": {...}, "targets"?: {...}}}: mean KL ± its standard',
    "error, its percentiles (0.1 … 99.9) and maximum; the top-1 agreement ratio ± standard error; with",
    "targets, the perplexity of each model, their ratio (new / base) and the mean, RMS and percentiles of",
    "Δp — the figures of llama.cpp's KL-divergence mode, for deciding whether a quantized or distilled",
    "model is close enough to its original.",
    "",
    'Targets come from BASE\'s frames ("target") or from --targets FILE, as for score. The two inputs must',
    "have the same number of rows and the same row length; otherwise the run stops with exit 65 naming the",
    "first row that has no partner, after the rows before it were written. Rows of different lengths can",
    "be compared through --vocab-map FILE: lines of two token ids, `BASE_ID NEW_ID`; both distributions",
    "are then taken over the mapped tokens only (each renormalized over them), and targets are base ids.",
    "",
    "Percentiles are exact (every row's KL and Δp are kept: 16 bytes per row).",
  ].join("\n"),
  flags: [
    ...formatFlags,
    {
      name: "targets",
      kind: "string",
      placeholder: "FILE",
      description: "target token ids, whitespace-separated, one per row in order (-1 = none)",
    },
    {
      name: "vocab-map",
      kind: "string",
      placeholder: "FILE",
      description: "compare rows of different lengths: lines `BASE_ID NEW_ID` naming the shared tokens",
    },
    { name: "summary-only", kind: "boolean", description: "write only the summary line" },
    ...batchFlags,
  ],
  examples: [
    "logitstream compare base.npy quant.npy --targets ids.txt",
    "logitstream compare base.safetensors distilled.safetensors --tensor logits --summary-only",
    "cat quant.ndjson | logitstream compare base.ndjson - --threads 2",
    "logitstream compare <(zcat base.npy.gz) <(zcat quant.npy.gz)   # a pipe as a path: read like a piped stdin",
  ],
  maxPositionals: 2,
  async run(args, ctx) {
    const { runCompareJob } = await import("../compareJob.js");
    await runCompareJob(ctx, args, {
      targets: str(args, "targets"),
      vocabMap: str(args, "vocab-map"),
      summaryOnly: bool(args, "summary-only"),
      ...batchOptionsFrom(args),
    });
  },
};
