import { MAX_TOP_N } from "@logitstream/core";
import { checkBatchSamplerParams } from "../advancedSamplingFlags.js";
import type { Command } from "../command.js";
import { int } from "../flags.js";
import { queueFlags } from "../queueFlags.js";
import { samplerParamsFrom } from "../samplerParams.js";
import { batchFlags, batchOptionsFrom, formatFlags, samplingFlags } from "../sharedFlags.js";

/** `logitstream sample`: one sampled token per row, with its log-probability. */
export const sample: Command = {
  name: "sample",
  summary: "sample one token per row: {row, token, logprob}",
  usage: "sample [PATH…] [flags]",
  description: [
    'Samples one token from each logit row and writes {"row", "token", "logprob"} (+ "id" when the',
    'frame has one, + "top_logprobs" with --logprobs N). The logprob is under the raw distribution',
    "(log_softmax of the untouched logits). The draw for row i is a pure function of (seed, i): the same",
    "seed gives the same tokens for any --threads and any split of the input.",
    "Logprobs are float64 (softmax's full rows are float32: see softmax --help).",
  ].join("\n"),
  flags: [
    ...formatFlags,
    ...samplingFlags,
    {
      name: "logprobs",
      kind: "string",
      placeholder: "N",
      defaultText: "0",
      description: "also write the N most likely tokens as top_logprobs",
    },
    ...batchFlags,
    ...queueFlags,
  ],
  examples: [
    "logitstream sample logits.npy --top-p 0.9 --seed 7",
    "echo '[1, 2, 3]' | logitstream sample --temperature 0",
    "logitstream sample rows.bin --format f16 --vocab 32000 --samplers top_k,temperature,dist --top-k 40 --logprobs 5",
  ],
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(args, ctx) {
    // Loaded on use, so --help, --version and flag errors do not pay for the pool and the codecs.
    const params = samplerParamsFrom(args);
    checkBatchSamplerParams(params);
    const { runBatchCommand } = await import("../runBatchCommand.js");
    await runBatchCommand(ctx, args, {
      kind: "sample",
      params,
      logprobs: int(args, "logprobs", 0, MAX_TOP_N) ?? 0,
      ...batchOptionsFrom(args),
    });
  },
};
