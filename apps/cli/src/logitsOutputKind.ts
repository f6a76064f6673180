import { UsageError } from "./errors.js";

/** What `logits -o OUT` writes: msgpack frames on stdout (`-`), a .npy array or a .safetensors file. */
export type LogitsOutputKind = "msgpack" | "npy" | "safetensors";

/**
 * The output kind `-o OUT` names, checked against `--dtype` — from argv alone, so `logits` reports a
 * bad `-o` or `--dtype` before it loads the codecs or the model.
 * @throws UsageError (exit 2) for an OUT that is neither `-`, `*.npy` nor `*.safetensors`, and for bf16 in .npy
 */
export function logitsOutputKind(out: string, dtype: "f32" | "f16" | "bf16"): LogitsOutputKind {
  const kind =
    out === "-"
      ? "msgpack"
      : /\.npy$/i.test(out)
        ? "npy"
        : /\.safetensors$/i.test(out)
          ? "safetensors"
          : undefined;
  if (kind === undefined)
    throw new UsageError(`-o ${out}: give a .npy or .safetensors path, or - for msgpack on stdout`, "-o");
  if (kind === "npy" && dtype === "bf16")
    throw new UsageError("--dtype bf16: .npy has no bfloat16 type; use .safetensors or f16", "--dtype");
  return kind;
}
