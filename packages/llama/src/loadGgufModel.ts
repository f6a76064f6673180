import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import {
  type AddonSamplerLike,
  addonContext,
  cpuLlama,
  createAddonSampler,
  llamaLogCount,
  llamaLogsSince,
} from "./binding.js";
import { ModelLoadError } from "./errors.js";
import { GgufModel } from "./GgufModel.js";

/** Options of {@link loadGgufModel}. */
export interface LoadGgufModelOptions {
  /**
   * llama.cpp threads per evaluation. Default: half the logical CPUs (at least 1) — about the physical
   * cores. More threads than cores makes llama.cpp's spinning workers fight (on a 2-CPU machine its own
   * default of 4 was ~80× slower than 1), so set it explicitly where it matters.
   */
  threads?: number;
  /** Tokens the context window holds. Default: the model's training context, at most 4096. */
  contextSize?: number;
  /** Tokens per llama.cpp batch (prompt evaluation). Default: min(contextSize, 512). */
  batchSize?: number;
  /** Memory-map the file (default true). */
  useMmap?: boolean;
}

/**
 * Loads a GGUF model file (any architecture llama.cpp runs: Llama, Qwen, Mistral, Phi, Gemma, …) on the
 * CPU through node-llama-cpp's prebuilt binaries, as a {@link GgufModel}: a core `LogitSource` and
 * `Tokenizer` with `evaluate` for every position. Nothing is compiled or downloaded.
 *
 * @param path the .gguf file
 * @param options threads, context and batch sizes
 * @returns the model; call `dispose()` when done (it holds native memory)
 * @throws ModelLoadError naming the path when the file is missing, unreadable, not GGUF, or llama.cpp
 *   rejects it (truncated, unsupported architecture); never crashes the process for a bad file
 * @example
 * const model = await loadGgufModel("llama-2-7b.Q4_K_M.gguf", { threads: 8, contextSize: 2048 });
 * const row = await model.next(model.encode("Hello"));
 * await model.dispose();
 */
export async function loadGgufModel(path: string, options: LoadGgufModelOptions = {}): Promise<GgufModel> {
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new ModelLoadError(path, `threads must be an integer ≥ 1, got ${threads}`);
  await checkGgufHeader(path);
  const llama = await cpuLlama();
  const logsBefore = llamaLogCount();
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: path, gpuLayers: 0, useMmap: options.useMmap ?? true });
  } catch (err) {
    throw new ModelLoadError(path, `llama.cpp rejected it (${describeFailure(err, logsBefore)})`, {
      cause: err,
    });
  }
  let context: LlamaContext | undefined;
  let sampler: AddonSamplerLike | undefined;
  try {
    const contextSize = options.contextSize ?? Math.min(model.trainContextSize || 4096, 4096);
    const batchSize = options.batchSize ?? Math.min(contextSize, 512);
    context = await model.createContext({ contextSize, batchSize, threads, sequences: 1 });
    addonContext(context).setThreads(threads);
    sampler = createAddonSampler(llama, model);
    return new GgufModel({ path, model, context, sampler, threads });
  } catch (err) {
    sampler?.dispose();
    await context?.dispose();
    await model.dispose();
    throw new ModelLoadError(path, `cannot create its context (${describeFailure(err, logsBefore)})`, {
      cause: err,
    });
  }
}

/** The 4-byte magic of every GGUF file. */
const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

/** Opens the file and checks its magic, so a wrong path or file type is a clear error before llama.cpp sees it. */
async function checkGgufHeader(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ModelLoadError(path, "not a regular file");
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || GGUF_MAGIC.some((b, i) => head[i] !== b))
      throw new ModelLoadError(
        path,
        `not a GGUF file (it starts with ${hex(head.subarray(0, bytesRead))}, a GGUF file with "GGUF"); convert the model with llama.cpp's convert_hf_to_gguf.py`,
      );
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    const e = err as NodeJS.ErrnoException;
    const problem =
      e.code === "ENOENT"
        ? "no such file"
        : e.code === "EISDIR"
          ? "a directory, not a file"
          : (e.message ?? String(e));
    throw new ModelLoadError(path, problem, { cause: err });
  } finally {
    await handle?.close();
  }
}

function hex(bytes: Uint8Array): string {
  return bytes.length === 0
    ? "nothing (empty file)"
    : Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
}

/** The error's message plus llama.cpp's last log line when it says more. */
function describeFailure(err: unknown, logsBefore: number): string {
  const message = err instanceof Error ? err.message : String(err);
  const logs = llamaLogsSince(logsBefore).filter((l) => l !== "");
  const last = logs[logs.length - 1];
  return last !== undefined && !message.includes(last) ? `${message}; llama.cpp: ${last}` : message;
}
