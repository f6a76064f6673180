import { availableParallelism } from "node:os";
import { type FlagSpec, int, type ParsedArgs, str } from "./flags.js";

/** `--model`: the embedded n-gram or a GGUF file. */
export const modelFlag: FlagSpec = {
  name: "model",
  kind: "string",
  short: "m",
  placeholder: "FILE.gguf|ngram",
  defaultText: "ngram",
  description: "a GGUF model file (any llama.cpp model, run on the CPU), or the embedded n-gram model",
};

/** `--threads` for a GGUF model: llama.cpp's threads per evaluation. */
export const modelThreadsFlag: FlagSpec = {
  name: "threads",
  kind: "string",
  placeholder: "N",
  defaultText: "half the CPUs",
  description: "llama.cpp threads for a GGUF model (more than the physical cores is much slower)",
};

/** `--context` / `--stride`: the window over long texts. */
export const windowFlags: readonly FlagSpec[] = [
  {
    name: "context",
    kind: "string",
    placeholder: "N",
    defaultText: "the model's context, ≤ 4096",
    description: "tokens per evaluation window (a GGUF model is loaded with this context size)",
  },
  {
    name: "stride",
    kind: "string",
    placeholder: "S",
    defaultText: "N/2",
    description:
      "tokens between window starts; each row is taken from the first window holding it, so rows after the first window see ≥ N − S tokens of context",
  },
];

/** `--text FILE`: the text to score or evaluate (default: stdin). */
export const textFlag: FlagSpec = {
  name: "text",
  kind: "string",
  placeholder: "FILE",
  description: "UTF-8 text to run through the model (default with --model: stdin)",
};

/** The model-related flag values. */
export function modelOptionsFrom(args: ParsedArgs): {
  model: string | undefined;
  threads: number | undefined;
  context: number | undefined;
  stride: number | undefined;
} {
  return {
    model: str(args, "model"),
    threads: int(args, "threads", 1, 1024) ?? defaultModelThreads(),
    context: int(args, "context", 1, 1 << 24),
    stride: int(args, "stride", 1, 1 << 24),
  };
}

/** llama.cpp threads when not given: about the physical cores. */
function defaultModelThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}
