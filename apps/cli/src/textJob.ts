import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { scoreBatch } from "@logitstream/core";
import {
  encodeElements,
  encodeMsgpack,
  encodeNpyHeader,
  encodeRecordLine,
  encodeSafetensorsHeader,
} from "@logitstream/wire";
import type { CommandContext } from "./command.js";
import { InputError, InvalidTextError, OutputError, UsageError } from "./errors.js";
import { openModel, type TextModel } from "./loadModel.js";
import type { LogitsOutputKind } from "./logitsOutputKind.js";
import { planWindows } from "./textWindows.js";

/** What `score --text` and `logits` share: the model, the text, the windows. */
interface TextJobOptions {
  /** `--model`: a GGUF path, or "ngram"/undefined for the embedded model. */
  model: string | undefined;
  /** `--text FILE`; undefined = stdin. */
  text: string | undefined;
  /** `--context N` (default: the model's context window, at most 4096 for the n-gram). */
  context: number | undefined;
  /** `--stride S` (default: half the window). */
  stride: number | undefined;
  /** `--threads N`: llama.cpp threads. */
  threads: number | undefined;
}

/** `logits`' own options. */
interface LogitsJobOptions extends TextJobOptions {
  /** `-o`: a .npy or .safetensors path, or "-" for msgpack frames on stdout. */
  out: string;
  /** What `out` names (`logitsOutputKind` checks it from argv, before this module is loaded). */
  kind: LogitsOutputKind;
  dtype: "f32" | "f16" | "bf16";
}

/**
 * score --text: every token of the text with its log-probability and rank under the model, then the
 * perplexity line. One record per scored token, `{"row", "token", "text", "logprob", "rank"}`: row i is
 * the logit row (the prediction after tokens 0…i), `token` its target (token i + 1), `text` what that token
 * completes of the text (a token ending inside a UTF-8 character gives "" and the next one the character).
 */
export async function runTextScore(ctx: CommandContext, opts: TextJobOptions): Promise<void> {
  const { model, tokens, windows } = await prepare(ctx, opts);
  try {
    const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
    let scored = 0;
    let nllSum = 0;
    for await (const { firstRow, rows, vocab, data } of windowRows(model, tokens, windows, ctx.signal)) {
      // The last row of the text predicts past its end: no target.
      const n = Math.min(rows, tokens.length - 1 - firstRow);
      if (n <= 0) continue;
      const targets = Int32Array.from(tokens.slice(firstRow + 1, firstRow + 1 + n));
      const r = scoreBatch(data.subarray(0, n * vocab), n, vocab, targets, { firstRow });
      let out = "";
      for (let i = 0; i < n; i++) {
        const token = targets[i]!;
        const text = utf8.decode(model.tokenizer.tokenBytes(token), { stream: true });
        const logprob = r.logprobs[i]!;
        out += `${JSON.stringify({ row: firstRow + i, token, text, logprob, rank: r.ranks[i]! })}\n`;
        nllSum -= logprob;
        scored++;
      }
      const wait = ctx.stdout.write(out);
      if (wait) await wait;
    }
    const meanNll = scored > 0 ? nllSum / scored : Number.NaN;
    const wait = ctx.stdout.write(
      encodeRecordLine({ summary: { rows: scored, mean_nll: meanNll, perplexity: Math.exp(meanNll) } }),
    );
    if (wait) await wait;
  } finally {
    await model.dispose();
  }
}

/**
 * logits: the logits of every position of the text (T rows × V), with the token ids, streamed batch by
 * batch (memory: one model batch). `.npy`: the array plus `<name>.targets.txt` (row i's target, -1 for the
 * last row; `score out.npy --targets out.targets.txt` reads the pair). `.safetensors`: tensor "logits" with
 * the token ids as JSON in the metadata ("tokens"). `-`: msgpack frames on stdout, one per row with its target.
 */
export async function runLogits(ctx: CommandContext, opts: LogitsJobOptions): Promise<void> {
  const kind = opts.kind;
  const { model, tokens, windows } = await prepare(ctx, opts);
  const T = tokens.length;
  const V = model.source.vocabSize;
  const targets = Int32Array.from({ length: T }, (_, i) => (i + 1 < T ? tokens[i + 1]! : -1));
  const sink = kind === "msgpack" ? stdoutSink(ctx) : fileSink(opts.out);
  try {
    if (kind === "npy") await sink.write(encodeNpyHeader([T, V], opts.dtype as "f32" | "f16"));
    if (kind === "safetensors")
      await sink.write(
        encodeSafetensorsHeader(
          { logits: { dtype: opts.dtype, shape: [T, V] } },
          { tokens: JSON.stringify(tokens), vocab: String(V) },
        ),
      );
    for await (const { firstRow, rows, vocab, data } of windowRows(model, tokens, windows, ctx.signal)) {
      await sink.write(
        kind === "msgpack"
          ? encodeMsgpack(
              { rows, vocab, data, targets: targets.subarray(firstRow, firstRow + rows) },
              { dtype: opts.dtype },
            )
          : encodeElements(data, 0, rows * vocab, opts.dtype),
      );
    }
    await sink.close();
    if (kind === "npy") await writeTargets(targetsPath(opts.out), targets);
  } catch (err) {
    sink.destroy();
    throw err;
  } finally {
    await model.dispose();
  }
}

/** `out.npy` → `out.targets.txt`. */
export function targetsPath(npyPath: string): string {
  return npyPath.replace(/\.npy$/i, ".targets.txt");
}

async function prepare(
  ctx: CommandContext,
  opts: TextJobOptions,
): Promise<{ model: TextModel; tokens: number[]; windows: ReturnType<typeof planWindows> }> {
  // --stride against --context was checked by the command, from argv (checkWindowFlags).
  const text = await readText(ctx, opts.text);
  const openOpts: { threads?: number; contextSize?: number } = {};
  if (opts.threads !== undefined) openOpts.threads = opts.threads;
  if (opts.context !== undefined) openOpts.contextSize = opts.context;
  const model = await openModel(opts.model, openOpts);
  try {
    const tokens = model.encodeText(text);
    const context = opts.context ?? Math.min(model.contextSize, 4096);
    if (context > model.contextSize)
      throw new UsageError(
        `--context ${context} is larger than the model's window (${model.contextSize})`,
        "--context",
      );
    const stride = opts.stride ?? Math.max(1, context >> 1);
    if (stride > context)
      throw new UsageError(
        `--stride ${stride} is larger than --context ${context}: rows would be skipped`,
        "--stride",
      );
    return { model, tokens, windows: planWindows(tokens.length, context, stride) };
  } catch (err) {
    await model.dispose();
    throw err;
  }
}

/** The rows each window contributes, in row order, as batches (views into the model's batches). */
async function* windowRows(
  model: TextModel,
  tokens: readonly number[],
  windows: ReturnType<typeof planWindows>,
  signal: AbortSignal,
): AsyncGenerator<{ firstRow: number; rows: number; vocab: number; data: Float32Array }> {
  for (const w of windows) {
    for await (const b of model.rows(tokens.slice(w.start, w.end), signal)) {
      const first = Math.max(w.start + b.firstRow, w.firstRow);
      const last = w.start + b.firstRow + b.rows;
      if (last <= first) continue;
      const skip = first - (w.start + b.firstRow);
      yield {
        firstRow: first,
        rows: last - first,
        vocab: b.vocab,
        data: b.data.subarray(skip * b.vocab, (skip + last - first) * b.vocab),
      };
    }
  }
}

async function readText(ctx: CommandContext, path: string | undefined): Promise<string> {
  let bytes: Uint8Array;
  if (path === undefined) {
    const chunks: Buffer[] = [];
    for await (const c of ctx.stdin) chunks.push(c as Buffer);
    bytes = Buffer.concat(chunks);
  } else {
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new InputError(
        `--text ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
        { cause: err },
      );
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InvalidTextError(path === undefined ? "stdin" : basename(path), firstInvalidUtf8(bytes));
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decodes = (end: number, stream: boolean): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream });
      return true;
    } catch {
      return false;
    }
  };
  // The longest prefix that is valid UTF-8 or valid up to an unfinished last character (monotone in length).
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (decodes(mid, true)) lo = mid;
    else hi = mid - 1;
  }
  if (decodes(lo, false)) return lo;
  // The prefix ends inside a character that the next byte does not continue: it starts at its lead byte.
  let p = lo - 1;
  while (p > 0 && (bytes[p]! & 0xc0) === 0x80) p--;
  return p;
}

interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
}

function stdoutSink(ctx: CommandContext): Sink {
  return {
    write: async (bytes) => {
      const wait = ctx.stdout.write(bytes);
      if (wait) await wait;
    },
    close: async () => undefined,
    destroy: () => undefined,
  };
}

function fileSink(path: string): Sink {
  const stream = createWriteStream(path);
  let failure: Error | undefined;
  stream.on("error", (err) => {
    failure = new OutputError(`cannot write ${path}: ${err.message}`, { cause: err });
  });
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (stream.write(bytes)) return resolve();
        const onDrain = (): void => {
          stream.off("error", onError);
          resolve();
        };
        const onError = (): void => {
          stream.off("drain", onDrain);
          reject(failure);
        };
        stream.once("drain", onDrain);
        stream.once("error", onError);
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end(() => (failure ? reject(failure) : resolve()));
      }),
    destroy: () => stream.destroy(),
  };
}

async function writeTargets(path: string, targets: Int32Array): Promise<void> {
  const sink = fileSink(path);
  await sink.write(new TextEncoder().encode(`${Array.from(targets).join("\n")}\n`));
  await sink.close();
}
