import { MAX_TOP_N } from "@logitstream/core";
import { checkWindowFlags } from "../checkWindowFlags.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { int, str } from "../flags.js";
import { modelFlag, modelOptionsFrom, textFlag, windowFlags } from "../modelFlags.js";
import { queueFlags } from "../queueFlags.js";
import { batchFlags, batchOptionsFrom, formatFlags } from "../sharedFlags.js";

/** `logitstream score`: log-probability and rank of each row's target, then a summary line. */
export const score: Command = {
  name: "score",
  summary: "score targets: {row, target, logprob, rank}, then {summary: {rows, mean_nll, perplexity}}",
  usage: "score [PATH…] [flags]   |   score --model FILE.gguf|ngram [--text FILE] [flags]",
  description: [
    'Scores each row against its target token: {"row", "target", "logprob", "rank"} (rank 1 = the most',
    'likely token). Targets come from the frames ("target") or from --targets FILE (whitespace-separated',
    'integers, one per row, in order). A row without a target is scored by its entropy: {"row", "entropy"}.',
    'The last line is {"summary": {"rows", "mean_nll", "perplexity"}} over the rows with a target.',
    "Logprobs, entropies and the summary are float64 (softmax's full rows are float32: see softmax --help).",
    "With --top N each record also carries the row's N most likely tokens (a distillation target file).",
    "NDJSON and msgpack rows may differ in length (multiple-choice items of 4 and 5 options): each target",
    "is a token of its own row.",
    "",
    "--targets FILE replaces the frames' targets (a frame's \"target\" is then ignored). The file holds",
    "exactly one token id per input row: 0 … 2^31 − 1, or -1 for no target (scored by entropy). A file",
    "with fewer targets than rows, or more, is bad data (exit 65; the message names the first row without",
    "a target, or the first target without a row), as is a token that is not such an integer (the message",
    "names its index and byte offset); rows before the problem are written first. --on-error skip does",
    "not skip these: the run stops.",
    "",
    "Text mode (--model or --text): runs a model over a UTF-8 text (--text FILE, or stdin) and scores",
    'every token: {"row", "token", "text", "logprob", "rank"} (row i = the prediction after tokens 0…i,',
    "token = token i + 1, text = what it completes), then the summary line: perplexity = exp(mean NLL)",
    "over every text token, as llama.cpp's perplexity tool reports it. The text starts with the model's",
    "BOS token (the n-gram: its boundary token), so the first word is scored too. Texts longer than",
    "--context N go in windows S = --stride tokens apart; each row comes from the first window that holds",
    "it, so every row after the first window has at least N − S tokens of context. --threads sets",
    "llama.cpp's threads.",
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
    modelFlag,
    textFlag,
    ...windowFlags,
  ],
  examples: [
    "logitstream score eval.ndjson",
    'printf \'{"logits":[1,2,3,4],"target":1}\\n{"logits":[1,2,3,4,5],"target":4}\\n\' | logitstream score',
    "logitstream score logits.npy --targets targets.txt --threads 8",
    "logitstream score teacher.safetensors --tensor logits --targets ids.txt --top 20 --output msgpack > distill.msgpack",
  ],
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(args, ctx) {
    if (str(args, "model") !== undefined || str(args, "text") !== undefined) {
      if (args.positionals.length > 0)
        throw new UsageError(
          `unexpected argument "${args.positionals[0]}": with --model the text comes from --text FILE or stdin`,
          args.positionals[0],
        );
      const model = modelOptionsFrom(args);
      checkWindowFlags(model);
      const { runTextScore } = await import("../textJob.js");
      await runTextScore(ctx, { ...model, text: str(args, "text") });
      return;
    }
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
