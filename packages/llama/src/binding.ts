/**
 * The part of node-llama-cpp's native addon this package drives directly, typed narrowly. Pinned to
 * node-llama-cpp 3.22.1 (its `AddonContext` / `AddonModel` / `AddonSampler` surface).
 *
 * Why below the public API: node-llama-cpp hands logits out only as a `Map` built from the addon's
 * flat `[id, logit, id, logit, …]` array, and only through `controlledEvaluate`, which re-plans
 * batches per call. Calling the addon's `initBatch` / `addToBatch` / `decodeBatch` / `sampleToken`
 * (the same calls node-llama-cpp's own `LlamaContext` makes) lets us request logits exactly where they
 * are needed, keep our own KV-cache bookkeeping, and scatter the flat array straight into a
 * `Float32Array` row without the `Map`.
 */
import { getLlama, type Llama, type LlamaContext, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";

/** `AddonContext` (one llama.cpp `llama_context`). */
export interface AddonContextLike {
  initBatch(size: number): void;
  /** Queues tokens of `sequenceId` at positions `firstPosition…`; `logitIndexes` (ascending, into `tokens`) get logits. */
  addToBatch(
    sequenceId: number,
    firstPosition: number,
    tokens: Uint32Array,
    logitIndexes: Uint32Array,
  ): Uint32Array;
  decodeBatch(): Promise<void>;
  /** With `logits` true: `[token, undefined, undefined, [id, logit, id, logit, …] over the whole vocabulary]`. */
  sampleToken(
    batchLogitIndex: number,
    sampler: AddonSamplerLike,
    probabilities: boolean,
    confidence: boolean,
    logits: boolean,
  ): Promise<[number, unknown, unknown, number[] | undefined, unknown]>;
  removeTokenCellsFromSequence(sequenceId: number, startPosition: number, endPosition: number): boolean;
  setThreads(threads: number): void;
}

/** `AddonSampler`: llama.cpp's sampler chain; configured greedy, it leaves the logits untouched. */
export interface AddonSamplerLike {
  applyConfig(config: { temperature?: number }): void;
  dispose(): void;
}

/** `AddonModel`: vocabulary access by id. */
export interface AddonModelLike {
  getTokenString(token: number): string;
  getTokenAttributes(token: number): number;
}

/** The internals reached through the public objects (their `_`-prefixed fields). */
export function addonContext(context: LlamaContext): AddonContextLike {
  return (context as unknown as { _ctx: AddonContextLike })._ctx;
}

export function addonModel(model: LlamaModel): AddonModelLike {
  return (model as unknown as { _model: AddonModelLike })._model;
}

export function createAddonSampler(llama: Llama, model: LlamaModel): AddonSamplerLike {
  const bindings = (llama as unknown as { _bindings: { AddonSampler: new (m: unknown) => AddonSamplerLike } })
    ._bindings;
  const sampler = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
  sampler.applyConfig({ temperature: 0 });
  return sampler;
}

/** llama.cpp's recent log lines, so a failed load can say what llama.cpp said. */
const recentLogs: string[] = [];
const MAX_LOGS = 20;
let logCount = 0;

/** How many llama.cpp warnings and errors were logged so far. */
export function llamaLogCount(): number {
  return logCount;
}

/** The warnings and errors logged since `llamaLogCount()` returned `since` (the last few, oldest first). */
export function llamaLogsSince(since: number): readonly string[] {
  return recentLogs.slice(Math.max(0, recentLogs.length - (logCount - since)));
}

let llamaPromise: Promise<Llama> | undefined;

/**
 * The process's one CPU llama.cpp instance: prebuilt binaries only (`build: "never"`: nothing is
 * compiled or downloaded), no GPU probing. llama.cpp's log lines are kept (not printed) for error messages.
 */
export function cpuLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: false,
    build: "never",
    logLevel: LlamaLogLevel.warn,
    logger: (_level, message) => {
      logCount++;
      recentLogs.push(message.trim());
      if (recentLogs.length > MAX_LOGS) recentLogs.shift();
    },
  });
  return llamaPromise;
}
