import { setImmediate } from "node:timers/promises";
import type { LogitSource, SamplerStage, Tokenizer } from "@logitstream/core";
import type { GrammarSource, GrammarStage } from "@logitstream/grammar";
import {
  createPacer,
  decodeText,
  type FinishEvent,
  generate,
  isFinishEvent,
  stopWhen,
  type TokenEvent,
  toOpenAILogprob,
  toRecord,
} from "@logitstream/stream";
import { toNdjsonReadable, toTextReadable } from "@logitstream/stream/node";
import type { CommandContext } from "./command.js";
import { openModel } from "./loadModel.js";
import type { CliSamplerParams } from "./samplerParams.js";

export interface GenerateOptions {
  /** The prompt text (read by the command, before this module is loaded). */
  prompt: string;
  maxTokens: number;
  stop: string[];
  params: CliSamplerParams;
  /** Ban the model's end-of-text token (bias −1e30: probability 0), as llama.cpp's --ignore-eos does. */
  ignoreEos: boolean;
  logprobs: number;
  json: boolean;
  /** --json records: native token events, or OpenAI's chat/completions logprobs entries. */
  logprobsFormat?: "native" | "openai";
  /** Constrain the output (--json-schema, --regex, --grammar); the prompt is then not echoed. */
  grammar?: GrammarSource;
  /** `--model`: a GGUF path, or "ngram"/undefined for the embedded model. */
  model?: string | undefined;
  /** llama.cpp threads and context window (GGUF only). */
  threads?: number | undefined;
  context?: number | undefined;
}

/**
 * generate: the model (`--model`: the embedded n-gram, or a GGUF file through @logitstream/llama, loaded
 * only then) → stream's `generate` loop with the core
 * sampler → `decodeText` (byte-exact UTF-8 across token boundaries) → `stopWhen` → stdout. A pacer
 * carries stdout's backpressure back to the loop, so a slow reader slows the model down; Ctrl-C
 * aborts the loop through the run's signal. With --json the stream's last event, the finish event
 * (why the text ended), is the last record; in text mode it writes nothing.
 */
export async function runGenerate(ctx: CommandContext, opts: GenerateOptions): Promise<void> {
  const openOpts: { threads?: number; contextSize?: number } = {};
  if (opts.threads !== undefined) openOpts.threads = opts.threads;
  if (opts.context !== undefined) openOpts.contextSize = opts.context;
  const opened = await openModel(opts.model, openOpts);
  try {
    await generateWith(ctx, opts, opts.prompt, opened.source, opened.tokenizer);
  } finally {
    // Releases a GGUF model's native memory, also when the run was aborted (Ctrl-C, closed stdout).
    await opened.dispose();
  }
}

async function generateWith(
  ctx: CommandContext,
  opts: GenerateOptions,
  prompt: string,
  model: LogitSource,
  tokenizer: Tokenizer,
): Promise<void> {
  // The grammar compiler is loaded only when a constraint is asked for.
  const source = opts.grammar;
  const grammarModule = source === undefined ? undefined : await import("./grammarConstraint.js");
  const constraint =
    source === undefined ? undefined : grammarModule?.grammarConstraint(source, tokenizer, model.eosId);
  // generate runs a clone of the stage; keep the clone to learn whether the output was completed.
  let run: GrammarStage | undefined;
  const grammar: SamplerStage | undefined =
    constraint === undefined
      ? undefined
      : {
          name: constraint.name,
          apply: (c, x) => constraint.apply(c, x),
          clone: () => {
            run = constraint.clone();
            return run;
          },
        };
  // --ignore-eos: core takes finite biases only; −1e30 leaves the token a probability of exactly 0.
  const params =
    opts.ignoreEos && model.eosId !== undefined
      ? { ...opts.params, logitBias: { ...opts.params.logitBias, [model.eosId]: -1e30 } }
      : opts.params;
  const pacer = createPacer();
  const events$ = generate(model, prompt, params, {
    tokenizer,
    logprobs: opts.logprobs,
    maxTokens: opts.maxTokens,
    pacer,
    signal: ctx.signal,
    ...(grammar === undefined ? {} : { grammar }),
  }).pipe(decodeText(tokenizer), stopWhen({ maxTokens: opts.maxTokens, stopSequences: opts.stop }));
  // --json: stream's NDJSON adapter writes each event with wire's record encoder. A high-water mark of
  // one byte makes the pacer stop the loop after every token, so each token is written as soon as it
  // is produced (not in 16 KiB batches).
  const readOpts = { pacer, highWaterMark: 1 };
  const records =
    opts.logprobsFormat === "openai"
      ? {
          ...readOpts,
          toRecord: (e: TokenEvent | FinishEvent) =>
            isFinishEvent(e) ? toRecord(e) : toOpenAILogprob(e, tokenizer),
        }
      : readOpts;
  const readable = opts.json ? toNdjsonReadable(events$, records) : toTextReadable(events$, readOpts);
  if (!opts.json && prompt !== "" && grammar === undefined) {
    const wait = ctx.stdout.write(prompt);
    if (wait) await wait;
  }
  let last = prompt;
  try {
    for await (const chunk of readable as AsyncIterable<Uint8Array>) {
      const wait = ctx.stdout.write(chunk);
      if (wait) await wait;
      if (chunk.length > 0) last = String.fromCharCode(chunk[chunk.length - 1]!);
      // The embedded model is synchronous: without a turn of the event loop between tokens, the loop
      // would run on promise callbacks alone and Ctrl-C (a signal event) would never be seen.
      await setImmediate();
    }
  } finally {
    readable.destroy();
    // Text ends with a newline so the shell prompt starts on its own line — also after Ctrl-C or an
    // error (not when stdout itself is gone).
    if (!opts.json && last !== "" && !last.endsWith("\n") && ctx.stdout.failure === undefined) {
      const wait = ctx.stdout.write("\n");
      if (wait) await wait.catch(() => {});
    }
  }
  if (run !== undefined && grammarModule !== undefined && !run.canEnd())
    throw new grammarModule.GrammarIncompleteError(opts.maxTokens);
}
