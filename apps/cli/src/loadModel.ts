import type { LogitSource, Tokenizer } from "@logitstream/core";
import { UsageError } from "./errors.js";

/** Consecutive logit rows of one evaluated token sequence: row r is the distribution after token firstRow + r. */
interface ModelRows {
  readonly firstRow: number;
  readonly rows: number;
  readonly vocab: number;
  readonly data: Float32Array;
}

/**
 * A model the text commands run: the embedded n-gram or a GGUF file. One shape for both, so `generate`,
 * `score --text` and `logits` do not care which.
 */
export interface TextModel {
  readonly source: LogitSource;
  readonly tokenizer: Tokenizer;
  /** Longest token sequence one evaluation may hold (the context window). */
  readonly contextSize: number;
  /** Text → tokens for scoring: a start token first (BOS, or the n-gram's boundary), so every text token gets scored. */
  encodeText(text: string): number[];
  /** The logits of every position of `tokens`, in bounded batches. */
  rows(tokens: readonly number[], signal: AbortSignal): AsyncIterable<ModelRows>;
  dispose(): Promise<void>;
}

/** Options for {@link openModel}. */
interface OpenModelOptions {
  /** llama.cpp threads (GGUF only). */
  threads?: number;
  /** Context window (GGUF: the KV cache size; the n-gram reads any length). */
  contextSize?: number;
}

/** `--model` as given: "ngram" (or absent) is the embedded model; anything else is a GGUF path. */
function isGguf(spec: string | undefined): spec is string {
  return spec !== undefined && spec !== "ngram";
}

/**
 * Opens `--model`: the embedded n-gram model, or a GGUF file through @logitstream/llama — imported only
 * here, only for a GGUF path, so every other run never loads llama.cpp. A file llama.cpp cannot load
 * is @logitstream/llama's ModelLoadError (bad data, exit 65).
 */
export async function openModel(spec: string | undefined, opts: OpenModelOptions = {}): Promise<TextModel> {
  return isGguf(spec) ? openGguf(spec, opts) : openNgram();
}

async function openNgram(): Promise<TextModel> {
  const { BpeTokenizer, loadModel } = await import("@logitstream/ngram");
  const model = loadModel();
  const tokenizer = new BpeTokenizer();
  return {
    source: model,
    tokenizer,
    contextSize: Number.MAX_SAFE_INTEGER,
    encodeText: (text) => [model.eosId, ...tokenizer.encode(text)],
    async *rows(tokens, signal) {
      const V = model.vocabSize;
      const ids = Int32Array.from(tokens);
      const per = 64;
      for (let first = 0; first < tokens.length; first += per) {
        signal.throwIfAborted();
        const rows = Math.min(per, tokens.length - first);
        const data = new Float32Array(rows * V);
        for (let r = 0; r < rows; r++) model.nextInto(ids.subarray(0, first + r + 1), data, r * V);
        yield { firstRow: first, rows, vocab: V, data };
      }
    },
    dispose: async () => undefined,
  };
}

async function openGguf(path: string, opts: OpenModelOptions): Promise<TextModel> {
  let llama: typeof import("@logitstream/llama");
  try {
    llama = await import("@logitstream/llama");
  } catch (err) {
    throw new UsageError(
      `--model ${path}: GGUF models need the optional package @logitstream/llama (and node-llama-cpp); install it (${(err as Error).message})`,
      "--model",
    );
  }
  const loadOpts: { threads?: number; contextSize?: number } = {};
  if (opts.threads !== undefined) loadOpts.threads = opts.threads;
  if (opts.contextSize !== undefined) loadOpts.contextSize = opts.contextSize;
  const model = await llama.loadGgufModel(path, loadOpts);
  return {
    source: model,
    tokenizer: model,
    contextSize: model.contextSize,
    encodeText: (text) => model.encode(text),
    rows: (tokens, signal) => model.evaluateBatches(tokens, { signal }),
    dispose: () => model.dispose(),
  };
}
