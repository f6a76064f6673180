import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { choice, int, num, str } from "../flags.js";

/** `logitstream lens`: the logit lens — the unembedding applied to every layer's hidden states. */
export const lens: Command = {
  name: "lens",
  summary: "logit lens: top tokens of every layer's hidden states under the unembedding (NDJSON)",
  usage: "lens --hidden H.npy|H.safetensors --unembed W.safetensors [flags]",
  description: [
    "Applies the LM head W [V, d] (f32, f16 or bf16, from a safetensors file, streamed: each row of W",
    "is read once per block of hidden vectors) to hidden states of shape [layers, positions, d] or",
    "[positions, d], after the final norm when --norm is given (as the logit lens does), and writes one",
    'NDJSON record per layer and position: {"layer","position","top":[{"token","prob","text"?}]}, most',
    "likely first (layer 0 for [positions, d] input). prob is the softmax probability over the whole",
    "vocabulary. text appears when --model gives a tokenizer. A hidden size that differs from W's, or a",
    "missing tensor, is bad data (exit 65) naming both shapes or the tensors the file has.",
  ].join("\n"),
  flags: [
    {
      name: "hidden",
      kind: "string",
      placeholder: "FILE",
      description: "hidden states, .npy or .safetensors",
    },
    {
      name: "hidden-tensor",
      kind: "string",
      placeholder: "NAME",
      description: "tensor in a safetensors --hidden file (default: its only tensor)",
    },
    {
      name: "unembed",
      kind: "string",
      placeholder: "FILE",
      description: "the unembedding W [V, d], .safetensors",
    },
    {
      name: "tensor",
      kind: "string",
      placeholder: "NAME",
      description: "W's tensor in --unembed (e.g. lm_head.weight; default: the only tensor)",
    },
    {
      name: "norm",
      kind: "string",
      placeholder: "FILE",
      description: "the final norm's weight [d], .safetensors",
    },
    {
      name: "norm-tensor",
      kind: "string",
      placeholder: "NAME",
      description:
        "the weight's tensor in --norm (e.g. model.norm.weight); LayerNorm adds NAME's .bias when present",
    },
    {
      name: "norm-type",
      kind: "string",
      placeholder: "rms|layer",
      defaultText: "rms",
      description: "RMSNorm x/sqrt(mean x²+eps)·w or LayerNorm (x−mean)/sqrt(var+eps)·w+b",
    },
    {
      name: "norm-eps",
      kind: "string",
      placeholder: "E",
      defaultText: "1e-5",
      description: "the norm's epsilon",
    },
    { name: "top", kind: "string", placeholder: "N", defaultText: "10", description: "tokens per record" },
    {
      name: "block",
      kind: "string",
      placeholder: "N",
      defaultText: "16",
      description: "hidden vectors per pass over W (W is read once per block)",
    },
    {
      name: "threads",
      kind: "string",
      short: "j",
      placeholder: "N",
      defaultText: "1",
      description: "split W's vocabulary over N worker threads (same results bit for bit)",
    },
    {
      name: "model",
      kind: "string",
      placeholder: "FILE.gguf|ngram",
      description: "tokenizer for the tokens' text",
    },
  ],
  examples: [
    "logitstream lens --hidden states.npy --unembed lm_head.safetensors --top 5",
    "logitstream lens --hidden h.safetensors --unembed model.safetensors --tensor lm_head.weight \\",
    "    --norm model.safetensors --norm-tensor model.norm.weight --norm-eps 1e-6 --model llama.gguf",
  ],
  maxPositionals: 0,
  async run(args, ctx) {
    const hidden = str(args, "hidden");
    const unembed = str(args, "unembed");
    if (hidden === undefined)
      throw new UsageError("--hidden FILE is required (.npy or .safetensors)", "--hidden");
    if (unembed === undefined) throw new UsageError("--unembed FILE is required (.safetensors)", "--unembed");
    const normEps = num(args, "norm-eps") ?? 1e-5;
    if (!(normEps >= 0))
      throw new UsageError(`--norm-eps: expected a number ≥ 0, got ${normEps}`, "--norm-eps");
    const norm = str(args, "norm");
    const normTensor = str(args, "norm-tensor");
    if (norm === undefined && normTensor !== undefined)
      throw new UsageError("--norm-tensor needs --norm FILE", "--norm-tensor");
    const { runLens } = await import("../lensJob.js");
    await runLens(ctx, {
      hidden,
      hiddenTensor: str(args, "hidden-tensor"),
      unembed,
      tensor: str(args, "tensor"),
      norm,
      normTensor,
      normType: choice(args, "norm-type", ["rms", "layer"] as const) ?? "rms",
      normEps,
      top: int(args, "top", 1, 4096) ?? 10,
      block: int(args, "block", 1, 4096) ?? 16,
      threads: int(args, "threads", 1, 256) ?? 1,
      model: str(args, "model"),
    });
  },
};
