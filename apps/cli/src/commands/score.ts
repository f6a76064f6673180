import type { Command } from "../command.js";
import { bool, choice, int, str, threads } from "../flags.js";
import {
  DEFAULT_WORKER_MEMORY_MB,
  formatFlags,
  ON_ERROR,
  OUTPUTS,
  onErrorFlag,
  outputFlag,
  progressFlag,
  threadsFlag,
  workerMemoryFlag,
} from "../sharedFlags.js";

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
  ].join("\n"),
  flags: [
    ...formatFlags,
    {
      name: "targets",
      kind: "string",
      placeholder: "FILE",
      description:
        "target token ids, whitespace-separated, one per row (not available yet: @logitstream/wire has no targets-file reader; use frame targets)",
    },
    {
      name: "top",
      kind: "string",
      placeholder: "N",
      defaultText: "0",
      description: "also write each row's N most likely tokens",
    },
    outputFlag,
    threadsFlag,
    workerMemoryFlag,
    onErrorFlag,
    progressFlag,
  ],
  examples: [
    "logitstream score eval.ndjson",
    "logitstream score logits.npy --targets targets.txt --threads 8",
    "logitstream score teacher.safetensors --tensor logits --targets ids.txt --top 20 --output msgpack > distill.msgpack",
  ],
  maxPositionals: 1,
  async run(args, ctx) {
    // Loaded on use, so --help, --version and flag errors do not pay for the pool and the codecs.
    const { runBatchJob } = await import("../batchJob.js");
    await runBatchJob(ctx, args, {
      kind: "score",
      targets: str(args, "targets"),
      top: int(args, "top", 0) ?? 0,
      output: choice(args, "output", OUTPUTS) ?? "ndjson",
      threads: threads(args),
      workerMemoryMb: int(args, "worker-memory", 64) ?? DEFAULT_WORKER_MEMORY_MB,
      onError: choice(args, "on-error", ON_ERROR) ?? "fail",
      progress: !bool(args, "no-progress"),
    });
  },
};
