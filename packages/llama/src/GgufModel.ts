import { AbortedError, type AbortSignalLike, type LogitSource, type Tokenizer } from "@logitstream/core";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import {
  type AddonContextLike,
  type AddonModelLike,
  type AddonSamplerLike,
  addonContext,
  addonModel,
} from "./binding.js";
import { ContextOverflowError, EvaluationError, ModelDisposedError, TokenIdError } from "./errors.js";
import { tokenPieceBytes } from "./tokenPieceBytes.js";

/** Logits of consecutive positions: row r is the distribution of the token after `tokens[firstRow + r]`. */
export interface LogitBatch {
  /** Position of row 0 in the evaluated token sequence. */
  readonly firstRow: number;
  readonly rows: number;
  readonly vocab: number;
  /** `rows × vocab`, row-major, owned by the caller. */
  readonly data: Float32Array;
}

/** Options of {@link GgufModel.evaluateBatches}. */
export interface EvaluateOptions {
  signal?: AbortSignalLike;
  /** Most rows per yielded batch (default: as many as one llama.cpp batch evaluates, ≤ 2^24 / V). */
  maxRows?: number;
}

/** What {@link loadGgufModel} assembles; the constructor is not part of the public API. */
interface GgufModelParts {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  /** llama.cpp's sampler chain, configured greedy: the addon reads logits through it. */
  sampler: AddonSamplerLike;
  threads: number;
}

/** The one sequence this model's context holds. */
const SEQ = 0;
/** Elements (rows × V) of logits requested from one llama.cpp batch: bounds its output buffer (64 MiB). */
const MAX_BATCH_LOGITS = 1 << 24;

/**
 * A GGUF model (any llama.cpp architecture) as a logitstream `LogitSource` and `Tokenizer`. Made by
 * {@link loadGgufModel}.
 *
 * `next(context)` returns the full logit row of the token after `context`, keeping llama.cpp's KV cache
 * across calls: only the tokens after the longest common prefix with the previous call are evaluated
 * (one token per step while generating), in batches. A context that does not extend the previous one
 * drops the cache after the common prefix. Calls are serialized; `dispose()` releases the native memory.
 *
 * @example
 * const model = await loadGgufModel("model.gguf", { threads: 4 });
 * const ids = model.encode("The capital of France is"); // [BOS, …]
 * const row = await model.next(ids);                    // Float32Array(model.vocabSize)
 * await model.dispose();
 */
export class GgufModel implements LogitSource, Tokenizer {
  /** The path the model was loaded from. */
  readonly path: string;
  readonly vocabSize: number;
  readonly eosId?: number;
  /** Beginning-of-sequence token, prepended by `encode` when the model asks for it. */
  readonly bosId: number | undefined;
  /** Tokens the context window holds (the KV cache size). */
  readonly contextSize: number;
  /** llama.cpp threads per evaluation. */
  readonly threads: number;

  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #ctx: AddonContextLike;
  readonly #vocab: AddonModelLike;
  readonly #sampler: AddonSamplerLike;
  readonly #addBos: boolean;
  readonly #vocabularyType: string;
  readonly #batchSize: number;
  readonly #pieces: (Uint8Array | undefined)[];
  /** Tokens whose keys and values are in the KV cache, at positions 0…n−1. */
  readonly #cached: number[] = [];
  /** The logits after `#cached` (valid when `#rowValid`); handed out by `next` and reused. */
  readonly #row: Float32Array;
  #rowValid = false;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  /** @internal Use {@link loadGgufModel}. */
  constructor(parts: GgufModelParts) {
    const { model, context } = parts;
    this.path = parts.path;
    this.#model = model;
    this.#context = context;
    this.#ctx = addonContext(context);
    this.#vocab = addonModel(model);
    this.#sampler = parts.sampler;
    this.threads = parts.threads;
    this.contextSize = context.contextSize;
    this.#batchSize = context.batchSize;
    this.#vocabularyType = model.vocabularyType;
    const tokens = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: readonly unknown[] } } })
      .tokenizer?.ggml?.tokens;
    this.vocabSize = tokens?.length ?? 0;
    const eos = model.tokens.eos;
    if (eos !== null) this.eosId = eos;
    this.bosId = model.tokens.bos ?? undefined;
    this.#addBos = this.bosId !== undefined && model.tokens.shouldPrependBosToken;
    this.#pieces = new Array(this.vocabSize);
    this.#row = new Float32Array(this.vocabSize);
  }

  /**
   * Text → token ids, as llama.cpp tokenizes it (special-token text such as "</s>" is plain text),
   * with the BOS token first when the model's metadata asks for one.
   */
  encode(text: string): number[] {
    this.#checkOpen();
    const ids = this.#model.tokenize(text, false) as number[];
    return this.#addBos ? [this.bosId!, ...ids] : ids;
  }

  /** The exact bytes of one token (control tokens: none; byte tokens: their byte; may end mid-character). */
  tokenBytes(id: number): Uint8Array {
    if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize))
      throw new TokenIdError(0, id, this.vocabSize);
    let bytes = this.#pieces[id];
    if (bytes === undefined) {
      this.#checkOpen();
      bytes = tokenPieceBytes(
        this.#vocab.getTokenString(id),
        this.#vocab.getTokenAttributes(id),
        this.#vocabularyType,
      );
      this.#pieces[id] = bytes;
    }
    return bytes;
  }

  /**
   * Logits of the token after `context` (a full row of `vocabSize`). The row is reused by the next call:
   * consume or copy it first. Rejects with `AbortedError` when `signal` aborts (checked between llama.cpp
   * batches; the model stays usable), `ContextOverflowError` past `contextSize`, `TokenIdError` for a bad id.
   */
  next(context: ArrayLike<number>, signal?: AbortSignalLike): Promise<Float32Array> {
    return this.#serial(async () => {
      this.#checkTokens(context);
      const m = context.length;
      let p = this.#commonPrefix(context);
      if (p === m && m === this.#cached.length && this.#rowValid) return this.#row;
      // The row after a prefix of the cache is not stored: evaluate its last token again.
      if (p === m) p = m - 1;
      this.#truncate(p);
      for (let start = p; start < m; ) {
        checkAbort(signal);
        const end = Math.min(m, start + this.#batchSize);
        const last = end === m;
        const tokens = new Uint32Array(end - start);
        for (let i = start; i < end; i++) tokens[i - start] = context[i]!;
        const idx = await this.#decode(
          start,
          tokens,
          last ? Uint32Array.of(end - start - 1) : new Uint32Array(0),
        );
        for (let i = start; i < end; i++) this.#cached.push(context[i]!);
        if (last) {
          await this.#readRow(idx[0]!, this.#sampler, this.#row, 0);
          this.#rowValid = true;
        }
        start = end;
      }
      return this.#row;
    });
  }

  /**
   * The logits of every position of `tokens` (batched prompt evaluation), as batches of consecutive rows:
   * row i is the distribution of `tokens[i + 1]`. Memory stays bounded: one batch at a time, each
   * yielded when its llama.cpp batch is done. The KV cache is rebuilt from the first token.
   */
  async *evaluateBatches(tokens: ArrayLike<number>, opts: EvaluateOptions = {}): AsyncGenerator<LogitBatch> {
    const V = this.vocabSize;
    const chunk = Math.max(
      1,
      Math.min(this.#batchSize, opts.maxRows ?? Infinity, Math.floor(MAX_BATCH_LOGITS / V)),
    );
    const n = tokens.length;
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const data = await this.#serial(async () => {
        if (start === 0) {
          this.#checkTokens(tokens);
          this.#truncate(0);
        } else if (this.#cached.length !== start) {
          // Another call moved the cache between two of our batches: continue from where it is valid.
          const p = Math.min(this.#commonPrefix(tokens), start);
          this.#truncate(p);
          if (p < start) await this.#evaluatePlain(tokens, p, start, opts.signal);
        }
        checkAbort(opts.signal);
        const rows = end - start;
        const ids = new Uint32Array(rows);
        for (let i = 0; i < rows; i++) ids[i] = tokens[start + i]!;
        const all = new Uint32Array(rows);
        for (let i = 0; i < rows; i++) all[i] = i;
        const idx = await this.#decode(start, ids, all);
        for (let i = 0; i < rows; i++) this.#cached.push(ids[i]!);
        const out = new Float32Array(rows * V);
        await this.#readRows(idx, out, opts.signal);
        this.#row.set(out.subarray((rows - 1) * V));
        this.#rowValid = end === n;
        return out;
      });
      yield { firstRow: start, rows: end - start, vocab: V, data };
    }
  }

  /** All rows of {@link evaluateBatches} in one `tokens.length × vocabSize` array. */
  async evaluate(tokens: ArrayLike<number>, opts: { signal?: AbortSignalLike } = {}): Promise<Float32Array> {
    const V = this.vocabSize;
    const out = new Float32Array(tokens.length * V);
    for await (const b of this.evaluateBatches(tokens, opts)) out.set(b.data, b.firstRow * V);
    return out;
  }

  /** Releases the context, the model and the samplers (waits for a call in flight). Idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue.catch(() => undefined);
    this.#sampler.dispose();
    await this.#context.dispose();
    await this.#model.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  // ---- internals ----

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(
      () => {
        this.#checkOpen();
        return fn();
      },
      () => {
        this.#checkOpen();
        return fn();
      },
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #checkOpen(): void {
    if (this.#disposed) throw new ModelDisposedError();
  }

  #checkTokens(tokens: ArrayLike<number>): void {
    const n = tokens.length;
    if (n === 0) throw new TokenIdError(-1, Number.NaN, this.vocabSize);
    if (n > this.contextSize) throw new ContextOverflowError(n, this.contextSize);
    const V = this.vocabSize;
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new TokenIdError(i, t, V);
    }
  }

  #commonPrefix(tokens: ArrayLike<number>): number {
    const cached = this.#cached;
    const n = Math.min(cached.length, tokens.length);
    let p = 0;
    while (p < n && cached[p] === tokens[p]) p++;
    return p;
  }

  /** Drops the KV cache from position p on. */
  #truncate(p: number): void {
    if (p >= this.#cached.length) return;
    this.#rowValid = false;
    // A cache that cannot drop a suffix (recurrent architectures) is cleared whole.
    if (!this.#ctx.removeTokenCellsFromSequence(SEQ, p, -1)) {
      this.#ctx.removeTokenCellsFromSequence(SEQ, 0, -1);
      this.#cached.length = 0;
      if (p > 0)
        throw new EvaluationError("the KV cache cannot drop a suffix for this architecture; start again");
      return;
    }
    this.#cached.length = p;
  }

  /** Evaluates tokens[from…to) without logits (re-filling the cache). */
  async #evaluatePlain(
    tokens: ArrayLike<number>,
    from: number,
    to: number,
    signal?: AbortSignalLike,
  ): Promise<void> {
    for (let s = from; s < to; ) {
      checkAbort(signal);
      const e = Math.min(to, s + this.#batchSize);
      const ids = new Uint32Array(e - s);
      for (let i = s; i < e; i++) ids[i - s] = tokens[i]!;
      await this.#decode(s, ids, new Uint32Array(0));
      for (let i = 0; i < ids.length; i++) this.#cached.push(ids[i]!);
      s = e;
    }
  }

  async #decode(position: number, tokens: Uint32Array, logitIndexes: Uint32Array): Promise<Uint32Array> {
    try {
      this.#ctx.initBatch(tokens.length);
      const idx = this.#ctx.addToBatch(SEQ, position, tokens, logitIndexes);
      await this.#ctx.decodeBatch();
      return idx;
    } catch (err) {
      // What llama.cpp holds for these positions is unknown now: drop them.
      this.#ctx.removeTokenCellsFromSequence(SEQ, position, -1);
      this.#rowValid = false;
      throw new EvaluationError((err as Error).message ?? String(err), { cause: err });
    }
  }

  /**
   * Scatters one row of logits into `out` at `offset`. The addon returns the whole vocabulary as
   * `[id, logit, …]` pairs (sorted by logit); writing them by id gives the dense row.
   */
  async #readRow(
    batchIndex: number,
    sampler: AddonSamplerLike,
    out: Float32Array,
    offset: number,
  ): Promise<void> {
    const [, , , pairs] = await this.#ctx.sampleToken(batchIndex, sampler, false, false, true);
    const V = this.vocabSize;
    if (pairs === undefined || pairs.length !== 2 * V)
      throw new EvaluationError(
        `expected ${V} logits from llama.cpp, got ${pairs === undefined ? 0 : pairs.length / 2}`,
      );
    for (let i = 0; i < pairs.length; i += 2) out[offset + pairs[i]!] = pairs[i + 1]!;
  }

  /** Reads the rows of one batch in order (one at a time: concurrent reads were slower on a loaded 2-CPU machine). */
  async #readRows(batchIndexes: Uint32Array, out: Float32Array, signal?: AbortSignalLike): Promise<void> {
    const V = this.vocabSize;
    for (let r = 0; r < batchIndexes.length; r++) {
      checkAbort(signal);
      await this.#readRow(batchIndexes[r]!, this.#sampler, out, r * V);
    }
  }
}

function checkAbort(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted)
    throw new AbortedError(
      signal.reason,
      "model evaluation aborted by its AbortSignal (the model stays usable)",
    );
}
