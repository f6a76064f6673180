import { MAX_TOP_N } from "@logitstream/core";
import type { Command } from "../command.js";
import { int, str } from "../flags.js";
import { queueFlags } from "../queueFlags.js";
import { batchFlags, batchOptionsFrom, formatFlags } from "../sharedFlags.js";

/** `logitstream score`: log-probability and rank of each row's target, then a summary line. */
export const score: Command = {
  name: "score",
  summary: "score targets: {row, target, logprob, rank}, then {summary: {rows, mean_nll, perplexity}}",
  usage: "score [PATH] [flags]",
  description: [
    'Scores each row against its target token: {"row", "target", "logprob", "rank"} (rank 1 = the most',
    'likely token). Targets come from the frames ("target") or from --targets FILE (whitespace-separated',
    'integers, one per row, in order). A row without a target is scored by its entropy: {"row", "entropy"}.',
    'The last line is {"summary": {"rows", "mean_nll", "perplexity"}} over the rows with a target.',
    "With --top N each record also carries the row's N most likely tokens (a distillation target file).",
    "",
    "--targets FILE replaces the frames' targets (a frame's \"target\" is then ignored). The file holds",
    "exactly one token id per input row: 0 … 2^31 − 1, or -1 for no target (scored by entropy). A file",
    "with fewer targets than rows, or more, is bad data (exit 65; the message names the first row without",
    "a target, or the first target without a row), as is a token that is not such an integer (the message",
    "names its index and byte offset); rows before the problem are written first. --on-error skip does",
    "not skip these: the run stops.",
  ].join("\n"),
  flags: [
    ...formatFlags,
    {
      name: "targets",
      kind: "string",
      placeholder: "FILE",
      description:
        "target token ids, whitespace-separated, one per row in order (-1 = none); replaces the frames' targets",
    },
    {
      name: "top",
      kind: "string",
      placeholder: "N",
      defaultText: "0",
      description: "also write each row's N most likely tokens",
    },
    ...batchFlags,
    ...queueFlags,
  ],
  examples: [
    "logitstream score eval.ndjson",
    "logitstream score logits.npy --targets targets.txt --threads 8",
    "logitstream score teacher.safetensors --tensor logits --targets ids.txt --top 20 --output msgpack > distill.msgpack",
  ],
  maxPositionals: 1,
  async run(args, ctx) {
    // Loaded on use, so --help, --version and flag errors do not pay for the pool and the codecs.
    const { runBatchCommand } = await import("../runBatchCommand.js");
    await runBatchCommand(ctx, args, {
      kind: "score",
      targets: str(args, "targets"),
      top: int(args, "top", 0, MAX_TOP_N) ?? 0,
      ...batchOptionsFrom(args),
    });
  },
};
