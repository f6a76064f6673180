import { checkWindowFlags } from "../checkWindowFlags.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { choice, str } from "../flags.js";
import { logitsOutputKind } from "../logitsOutputKind.js";
import { modelFlag, modelOptionsFrom, modelThreadsFlag, textFlag, windowFlags } from "../modelFlags.js";

/** `logitstream logits`: the logits of every position of a text under a model, to a file or stdout. */
export const logits: Command = {
  name: "logits",
  summary: "write a model's logits for every position of a text (.npy, .safetensors or msgpack)",
  usage: "logits --model FILE.gguf|ngram [--text FILE] -o OUT [flags]",
  description: [
    "Tokenizes the text (BOS first when the model uses one), evaluates it and writes T rows × V logits:",
    "row i is the distribution of token i + 1 (the last row predicts past the text). Streams in model",
    "batches, so memory stays bounded; long texts go in sliding windows (--context, --stride).",
    "",
    "-o out.npy: a [T, V] array, plus out.targets.txt (row i's target token, -1 for the last row), so",
    "`logitstream score out.npy --targets out.targets.txt` scores it. -o out.safetensors: tensor",
    '"logits" [T, V], the token ids as JSON in the metadata ("tokens"). -o -: msgpack frames on stdout,',
    "one per row with its target (the input `score` reads). --dtype f16 or bf16 halves the size",
    "(.npy has no bf16).",
  ].join("\n"),
  flags: [
    modelFlag,
    textFlag,
    {
      name: "out",
      kind: "string",
      short: "o",
      placeholder: "OUT",
      description: "out.npy, out.safetensors or - (stdout)",
    },
    {
      name: "dtype",
      kind: "string",
      placeholder: "f32|f16|bf16",
      defaultText: "f32",
      description: "element type",
    },
    ...windowFlags,
    modelThreadsFlag,
  ],
  examples: [
    "logitstream logits --model llama-2-7b.Q4_K_M.gguf --text essay.txt -o essay.npy",
    "logitstream logits --model qwen.gguf --text doc.txt -o doc.safetensors --dtype bf16",
    "logitstream logits --model tiny.gguf --text a.txt -o - | logitstream score",
  ],
  maxPositionals: 0,
  async run(args, ctx) {
    const out = str(args, "out");
    if (out === undefined)
      throw new UsageError("-o OUT is required (a .npy or .safetensors path, or -)", "-o");
    const dtype = choice(args, "dtype", ["f32", "f16", "bf16"] as const) ?? "f32";
    // Flag errors are found before the job (the codecs, the model) is imported.
    const kind = logitsOutputKind(out, dtype);
    const model = modelOptionsFrom(args);
    checkWindowFlags(model);
    const { runLogits } = await import("../textJob.js");
    await runLogits(ctx, { ...model, text: str(args, "text"), out, kind, dtype });
  },
};
