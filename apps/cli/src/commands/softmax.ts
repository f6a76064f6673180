import { MAX_TOP_N } from "@logitstream/core";
import type { Command } from "../command.js";
import { bool, int, num } from "../flags.js";
import { queueFlags } from "../queueFlags.js";
import { batchFlags, batchOptionsFrom, formatFlags } from "../sharedFlags.js";

/** `logitstream softmax`: each row's probabilities (or log-probabilities). */
export const softmax: Command = {
  name: "softmax",
  summary: "probabilities per row: {row, probs} (--log: logprobs; --top N: the N most likely)",
  usage: "softmax [PATH…] [flags]",
  description: [
    'Writes each row\'s softmax as {"row", "probs": [...]}, or {"row", "logprobs": [...]} with --log.',
    'With --top N only the N most likely tokens are written, as {"token", "prob"} entries, most likely',
    "first (ties: lower token id first). Max-subtracted, float64 sums: exact for any row.",
    "",
    'Precision: "probs" and "logprobs" are float32 results (one float32 row per input row, as the',
    "kernels compute it); each number printed is that float32 value exactly, in the shortest decimal",
    "that reads back as the same double, so it can show up to 17 digits (-1.4643688201904297). The --top",
    "entries, and every logprob that sample and score print, are float64 (-0.4643687938702583).",
  ].join("\n"),
  flags: [
    ...formatFlags,
    {
      name: "log",
      kind: "boolean",
      description: "write log-probabilities (log_softmax) instead of probabilities",
    },
    {
      name: "temperature",
      kind: "string",
      short: "t",
      placeholder: "T",
      defaultText: "1",
      description: "divide logits by T (> 0)",
    },
    {
      name: "top",
      kind: "string",
      placeholder: "N",
      defaultText: "all tokens",
      description: "only the N most likely tokens",
    },
    ...batchFlags,
    ...queueFlags,
  ],
  examples: [
    "echo '[0, 0, 1]' | logitstream softmax",
    "logitstream softmax logits.safetensors --tensor logits --log --top 5",
  ],
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(args, ctx) {
    // Loaded on use, so --help, --version and flag errors do not pay for the pool and the codecs.
    const { runBatchCommand } = await import("../runBatchCommand.js");
    await runBatchCommand(ctx, args, {
      kind: "softmax",
      log: bool(args, "log"),
      temperature: num(args, "temperature"),
      top: int(args, "top", 1, MAX_TOP_N),
      ...batchOptionsFrom(args),
    });
  },
};
