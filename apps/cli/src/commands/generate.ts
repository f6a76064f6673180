import { MAX_TOP_N } from "@logitstream/core";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { bool, choice, int, list } from "../flags.js";
import { grammarFlags, grammarSourceFrom } from "../grammarFlags.js";
import { modelFlag, modelOptionsFrom, modelThreadsFlag } from "../modelFlags.js";
import { samplerParamsFrom } from "../samplerParams.js";
import { samplingFlags } from "../sharedFlags.js";

/** `logitstream generate`: text from the embedded n-gram model, streamed as it is produced. */
export const generate: Command = {
  name: "generate",
  summary: "generate text from the embedded n-gram model, streamed token by token",
  usage: "generate [PROMPT] [flags]",
  description: [
    "Generates text after PROMPT with the embedded n-gram model (a Kneser-Ney LM over a real BPE",
    "vocabulary), or with --model FILE.gguf any llama.cpp model on the CPU (its KV cache is kept between",
    "tokens), and prints it to stdout as tokens are produced. The sampling flags are those of",
    "`sample`; token t draws with (seed, stream 0, step t), so a seed reproduces the text exactly.",
    'With --json each token is an NDJSON event {"step", "token", "logprob", "rank", "text"} (+ "top_logprobs");',
    'with --logprobs-format openai it is OpenAI\'s chat/completions logprobs entry {"token" (text), "bytes",',
    '"logprob", "top_logprobs": [{"token", "bytes", "logprob"}]} (an impossible token\'s logprob is -9999).',
    "--json-schema, --regex or --grammar constrain the output (only tokens that keep it valid are drawn;",
    "it ends where the grammar is complete); then --max-tokens defaults to 1024 and a cut output is an error.",
  ].join("\n"),
  flags: [
    {
      name: "max-tokens",
      kind: "string",
      short: "n",
      placeholder: "N",
      defaultText: "64",
      description: "stop after N tokens",
    },
    {
      name: "stop",
      kind: "string",
      multiple: true,
      placeholder: "TEXT",
      description: "stop when the text contains TEXT (repeatable)",
    },
    ...samplingFlags,
    {
      name: "logprobs",
      kind: "string",
      placeholder: "N",
      defaultText: "0",
      description: "with --json: the N most likely tokens per event",
    },
    { name: "json", kind: "boolean", description: "write token events as NDJSON instead of text" },
    {
      name: "logprobs-format",
      kind: "string",
      placeholder: "FORMAT",
      defaultText: "native",
      description: "with --json: native (token ids) or openai (OpenAI's logprobs entries: text and bytes)",
    },
    ...grammarFlags,
    modelFlag,
    modelThreadsFlag,
    {
      name: "context",
      kind: "string",
      placeholder: "N",
      defaultText: "the model's context, ≤ 4096",
      description: "GGUF: context window (prompt + generated tokens)",
    },
  ],
  examples: [
    'logitstream generate "The history of" --max-tokens 40 --temperature 0.8 --top-k 40 --seed 1',
    'logitstream generate "It was" --json --logprobs 3 --max-tokens 5',
    'logitstream generate "A person:" --json-schema person.json --seed 7',
    'logitstream generate --model llama-2-7b.Q4_K_M.gguf "The capital of France is" --temperature 0',
  ],
  maxPositionals: 1,
  async run(args, ctx) {
    const logprobs = int(args, "logprobs", 0, MAX_TOP_N) ?? 0;
    const json = bool(args, "json");
    const logprobsFormat = choice(args, "logprobs-format", ["native", "openai"] as const) ?? "native";
    if (logprobsFormat !== "native" && !json)
      throw new UsageError("--logprobs-format: only with --json", "--logprobs-format");
    if (logprobs > 0 && !json)
      throw new UsageError("--logprobs: only with --json (text output has no place for it)", "--logprobs");
    const grammar = grammarSourceFrom(args);
    const { runGenerate } = await import("../generateJob.js");
    await runGenerate(ctx, {
      prompt: args.positionals[0] ?? "",
      maxTokens: int(args, "max-tokens", 1) ?? (grammar === undefined ? 64 : 1024),
      ...(grammar === undefined ? {} : { grammar }),
      stop: list(args, "stop"),
      params: samplerParamsFrom(args),
      logprobs,
      json,
      logprobsFormat,
      ...modelOptionsFrom(args),
    });
  },
};
