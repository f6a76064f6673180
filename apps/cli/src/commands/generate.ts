import { MAX_TOP_N, validateSamplerParams } from "@logitstream/core";
import type { Command } from "../command.js";
import { decodeEscapes } from "../decodeEscapes.js";
import { checkFlagParams, UsageError } from "../errors.js";
import { bool, choice, int, list, str } from "../flags.js";
import { grammarFlags, grammarSourceFrom } from "../grammarFlags.js";
import { modelFlag, modelOptionsFrom, modelThreadsFlag } from "../modelFlags.js";
import { type PromptSource, readPrompt } from "../promptSource.js";
import { samplerParamsFrom } from "../samplerParams.js";
import { samplingFlags } from "../sharedFlags.js";

/** `logitstream generate`: text from the embedded n-gram model, streamed as it is produced. */
export const generate: Command = {
  name: "generate",
  summary: "generate text from the embedded n-gram model, streamed token by token",
  usage: "generate [PROMPT | -] [flags]",
  description: [
    "Generates text after PROMPT with the embedded n-gram model (a Kneser-Ney LM over a real BPE",
    "vocabulary), or with --model FILE.gguf any llama.cpp model on the CPU (its KV cache is kept between",
    "tokens), and prints it to stdout as tokens are produced. The sampling flags are those of",
    "`sample`; token t draws with (seed, stream 0, step t), so a seed reproduces the text exactly.",
    'With --json each token is an NDJSON event {"step", "token", "logprob", "rank", "text"} (+ "top_logprobs");',
    'with --logprobs-format openai it is OpenAI\'s chat/completions logprobs entry {"token" (text), "bytes",',
    '"logprob", "top_logprobs": [{"token", "bytes", "logprob"}]} (an impossible token\'s logprob is -9999).',
    "",
    "The prompt: the PROMPT argument; or --prompt-file FILE; or stdin when PROMPT is - or absent and",
    'stdin is not a terminal (`echo "The history of" | logitstream generate`; one trailing newline is',
    "dropped). Escapes (\\n \\t \\r \\\\ \\\" \\' \\0 \\uXXXX) are decoded in PROMPT and --stop by default, as",
    "llama.cpp's --escape does; --no-escape takes them literally. Prompts from a file or stdin are",
    "used byte for byte.",
    "",
    'The text ends at the first of: --max-tokens tokens (finish reason "length"), a --stop string (not',
    'printed; "stop"), or the model\'s end-of-text token (not printed; "stop") — so -n 200 may give',
    "fewer tokens; --ignore-eos bans the end-of-text token so only -n and --stop end the text. Text",
    "output ends with a newline, also after Ctrl-C.",
    'With --json each token is an NDJSON event {"step", "token", "logprob", "rank", "text"} (+ "top_logprobs"),',
    'and the last record says why it ended: {"finish_reason": "stop" | "length" | "abort" | "error",',
    '"steps": N} (+ "stop_sequence" or "eos_token" for "stop", + "error" {"code", "message"}).',
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
      description: "stop when the text contains TEXT (repeatable; not printed; escapes decoded)",
    },
    {
      name: "prompt-file",
      kind: "string",
      placeholder: "FILE",
      description: "read the prompt from FILE (- = stdin), byte for byte",
    },
    {
      name: "no-escape",
      kind: "boolean",
      description: "take \\n, \\t, \\uXXXX … in PROMPT and --stop literally",
    },
    {
      name: "ignore-eos",
      kind: "boolean",
      description: "never sample the end-of-text token (its logit biased by -1e30, as llama.cpp does)",
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
    'echo "The history of" | logitstream generate -n 20 --stop "\\n"',
  ],
  maxPositionals: 1,
  async run(args, ctx) {
    // Everything argv decides is checked here, before the job (rxjs, the stream, the model, the
    // tokenizer) is imported: a flag error costs what --help costs, not a model load.
    const logprobs = int(args, "logprobs", 0, MAX_TOP_N) ?? 0;
    const json = bool(args, "json");
    const logprobsFormat = choice(args, "logprobs-format", ["native", "openai"] as const) ?? "native";
    if (logprobsFormat !== "native" && !json)
      throw new UsageError("--logprobs-format: only with --json", "--logprobs-format");
    if (logprobs > 0 && !json)
      throw new UsageError("--logprobs: only with --json (text output has no place for it)", "--logprobs");
    const grammar = await grammarSourceFrom(args);
    const decode = !bool(args, "no-escape");
    const stop = list(args, "stop").map((s) => {
      if (s === "") throw new UsageError("--stop: a stop string cannot be empty", "--stop");
      return decode ? decodeEscapes(s, "--stop") : s;
    });
    const arg = args.positionals[0];
    const file = str(args, "prompt-file");
    if (arg !== undefined && file !== undefined)
      throw new UsageError("give the prompt as PROMPT or --prompt-file, not both", "--prompt-file");
    const prompt: PromptSource =
      file !== undefined
        ? { file }
        : arg === "-"
          ? { file: "-" }
          : arg !== undefined
            ? { text: decode ? decodeEscapes(arg, "PROMPT") : arg }
            : { stdinUnlessTerminal: true };
    const maxTokens = int(args, "max-tokens", 1) ?? (grammar === undefined ? 64 : 1024);
    const params = samplerParamsFrom(args);
    checkFlagParams(() => validateSamplerParams(params));
    const model = modelOptionsFrom(args);
    // A grammar that does not parse is found before the model is loaded (the grammar package is
    // needed for that, the model and the tokenizer are not).
    if (grammar !== undefined) {
      const { grammarDefinition } = await import("@logitstream/grammar");
      grammarDefinition(grammar);
    }
    // A missing prompt file, too (the prompt is read before the job is imported).
    const promptText = await readPrompt(prompt, ctx);
    const { runGenerate } = await import("../generateJob.js");
    await runGenerate(ctx, {
      prompt: promptText,
      maxTokens,
      ...(grammar === undefined ? {} : { grammar }),
      stop,
      params,
      ignoreEos: bool(args, "ignore-eos"),
      logprobs,
      json,
      logprobsFormat,
      ...model,
    });
  },
};
