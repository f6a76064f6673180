import { advancedSamplingFlags } from "./advancedSamplingFlags.js";
import { bool, choice, type FlagSpec, int, type ParsedArgs, threads } from "./flags.js";

/** The input formats of @logitstream/wire, as `--format` accepts them. */
export const FORMATS = ["ndjson", "msgpack", "f32", "f16", "bf16", "npy", "safetensors"] as const;
export type FormatName = (typeof FORMATS)[number];

const OUTPUTS = ["ndjson", "msgpack"] as const;
type OutputName = (typeof OUTPUTS)[number];

export const ON_ERROR = ["fail", "skip"] as const;

/** [PATH], --format, --vocab, --tensor: where the rows come from and how they are encoded. */
export const formatFlags: readonly FlagSpec[] = [
  {
    name: "format",
    kind: "string",
    short: "f",
    placeholder: "FMT",
    defaultText: "detected from the path extension and the first bytes",
    description: `input format: ${FORMATS.join(", ")}`,
  },
  {
    name: "vocab",
    kind: "string",
    placeholder: "V",
    description:
      "vocabulary size (row length); required for raw f32, f16 and bf16. NDJSON and msgpack rows give their own length and may differ (4- and 5-option items in one stream); with --vocab every row must have V",
  },
  {
    name: "tensor",
    kind: "string",
    placeholder: "NAME",
    defaultText: "the only tensor of the file",
    description: "safetensors: the tensor to read",
  },
];

const outputFlag: FlagSpec = {
  name: "output",
  kind: "string",
  short: "o",
  placeholder: "FMT",
  defaultText: "ndjson",
  description: "record encoding on stdout: ndjson or msgpack",
};

export const threadsFlag: FlagSpec = {
  name: "threads",
  kind: "string",
  short: "j",
  placeholder: "N",
  defaultText: "available parallelism",
  description: "worker threads for large inputs; the output is byte-identical for every N",
};

/** Default heap limit of each worker: a runaway worker is stopped (and its task retried) long before it can take the machine's memory. */
export const DEFAULT_WORKER_MEMORY_MB = 512;

export const workerMemoryFlag: FlagSpec = {
  name: "worker-memory",
  kind: "string",
  placeholder: "MB",
  defaultText: String(DEFAULT_WORKER_MEMORY_MB),
  description:
    "heap limit of each worker thread; a worker that exceeds it is replaced and its batch retried once",
};

/**
 * The pool's inline budget (its `inlineThreshold`, DEFAULT_INLINE_THRESHOLD of @logitstream/pool, written
 * out here so that `--help` does not load the pool). A small job ends before worker threads would even
 * have started; 0 suits input that should only ever be decoded inside the memory-limited workers.
 */
const inlineElementsFlag: FlagSpec = {
  name: "inline-elements",
  kind: "string",
  placeholder: "N",
  defaultText: "16416768, 128 rows of 128,256",
  description:
    "logit elements (rows × vocab; bytes / 4 for NDJSON and msgpack) computed on the main thread before the worker threads start, so that a small input does not wait for them; 0 = every row in the workers. The output is the same for every N",
};

const onErrorFlag: FlagSpec = {
  name: "on-error",
  kind: "string",
  placeholder: "MODE",
  defaultText: "fail",
  description: "fail: stop at the first bad row (exit 65); skip: skip bad rows, report the count on stderr",
};

const progressFlag: FlagSpec = {
  name: "no-progress",
  kind: "boolean",
  description: "never show the progress bar (it is only ever shown when stderr is a terminal)",
};

/** The sampler flags shared by `sample` and `generate` (SamplerParams of @logitstream/core). */
export const samplingFlags: readonly FlagSpec[] = [
  {
    name: "temperature",
    kind: "string",
    short: "t",
    placeholder: "T",
    defaultText: "1",
    description: "divide logits by T; 0 = greedy",
  },
  {
    name: "top-k",
    kind: "string",
    short: "k",
    placeholder: "K",
    defaultText: "0 = off",
    description: "keep the K most likely tokens",
  },
  {
    name: "top-p",
    kind: "string",
    short: "p",
    placeholder: "P",
    defaultText: "1 = off",
    description: "keep the smallest set with total probability ≥ P",
  },
  {
    name: "min-p",
    kind: "string",
    placeholder: "M",
    defaultText: "0 = off",
    description: "keep tokens with p ≥ M · p_max",
  },
  {
    name: "typical-p",
    kind: "string",
    placeholder: "P",
    defaultText: "1 = off",
    description: "locally typical sampling mass",
  },
  {
    name: "top-n-sigma",
    kind: "string",
    placeholder: "N",
    defaultText: "0 = off",
    description: "keep logits ≥ max − N·σ",
  },
  {
    name: "repetition-penalty",
    kind: "string",
    placeholder: "R",
    defaultText: "1 = off",
    description: "llama.cpp repetition penalty",
  },
  {
    name: "frequency-penalty",
    kind: "string",
    placeholder: "F",
    defaultText: "0",
    description: "OpenAI frequency penalty",
  },
  {
    name: "presence-penalty",
    kind: "string",
    placeholder: "P",
    defaultText: "0",
    description: "OpenAI presence penalty",
  },
  {
    name: "penalty-window",
    kind: "string",
    placeholder: "N",
    defaultText: "64",
    description: "previous tokens the penalties look at",
  },
  {
    name: "logit-bias",
    kind: "string",
    placeholder: "ID:B,…",
    description:
      "add B to the logit of token ID (e.g. 50256:-100); an ID outside a row is bad data (exit 65, the row named), since only the data says how long a row is",
  },
  {
    name: "samplers",
    kind: "string",
    placeholder: "LIST",
    defaultText:
      "logit_bias,min_tokens,banned_sequences,no_repeat_ngram,penalties,dry,temperature,top_k,top_p,min_p,typical_p,top_n_sigma,epsilon_cutoff,eta_cutoff,xtc,dist",
    description: "explicit stage order, comma-separated",
  },
  {
    name: "seed",
    kind: "string",
    short: "s",
    placeholder: "S",
    defaultText: "0",
    description: "uint32 seed of the counter-based RNG",
  },
  ...advancedSamplingFlags,
];

/** The flags every batch command (sample, softmax, score) takes after its own, in `--help` order. */
export const batchFlags: readonly FlagSpec[] = [
  outputFlag,
  threadsFlag,
  inlineElementsFlag,
  workerMemoryFlag,
  onErrorFlag,
  progressFlag,
];

/** The values of {@link batchFlags}, in the shape `runBatchJob` takes them. */
export function batchOptionsFrom(args: ParsedArgs): {
  output: OutputName;
  threads: number;
  inlineElements: number | undefined;
  workerMemoryMb: number;
  onError: "fail" | "skip";
  progress: boolean;
} {
  return {
    output: choice(args, "output", OUTPUTS) ?? "ndjson",
    threads: threads(args),
    inlineElements: int(args, "inline-elements", 0),
    workerMemoryMb: int(args, "worker-memory", 64) ?? DEFAULT_WORKER_MEMORY_MB,
    onError: choice(args, "on-error", ON_ERROR) ?? "fail",
    progress: !bool(args, "no-progress"),
  };
}
