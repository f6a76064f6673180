import { validateSamplerParams } from "@logitstream/core";
import { createPool, type StreamJob, type StreamTotals } from "@logitstream/pool";
import { type ByteChunk, frameChunks } from "@logitstream/wire";
import type { CommandContext } from "./command.js";
import { checkFlagParams, UsageError } from "./errors.js";
import type { ParsedArgs } from "./flags.js";
import { type Input, openInput } from "./input.js";
import { createProgress } from "./progress.js";
import { readOptionsFrom } from "./readOptions.js";
import type { CliSamplerParams } from "./samplerParams.js";
import { summaryBytes } from "./summary.js";
import { openTargets, type Targets } from "./targets.js";

interface Common {
  output: "ndjson" | "msgpack";
  threads: number;
  /** The pool's inlineThreshold (--inline-elements); undefined = its default. */
  inlineElements: number | undefined;
  workerMemoryMb: number;
  onError: "fail" | "skip";
  progress: boolean;
}
export type BatchJob =
  | (Common & { kind: "sample"; params: CliSamplerParams; logprobs: number })
  | (Common & { kind: "softmax"; log: boolean; temperature: number | undefined; top: number | undefined })
  | (Common & { kind: "score"; targets: string | undefined; top: number });

/** The pool job for a command: records are encoded in the workers, in `output`. */
export function poolJob(job: BatchJob): StreamJob {
  const onError = job.onError === "skip" ? "skip" : "throw";
  if (job.kind === "sample") {
    return { kind: "sample", params: job.params, logprobs: job.logprobs, output: job.output, onError };
  }
  if (job.kind === "softmax") {
    const j: StreamJob = { kind: "softmax", log: job.log, output: job.output, onError };
    if (job.temperature !== undefined) j.temperature = job.temperature;
    if (job.top !== undefined) j.top = job.top;
    return j;
  }
  return { kind: "score", top: job.top, output: job.output, onError };
}

/**
 * sample | softmax | score: path or stdin → wire's framer (main thread: frame boundaries only) →
 * pool (decode, math and record encoding in workers, or inline for small input; results in input
 * order) → stdout, each batch written as soon as it is ready. In-flight work is bounded by the pool,
 * and the loop awaits stdout's `drain`, so memory does not grow with the input or a slow reader.
 */
export async function runBatchJob(ctx: CommandContext, args: ParsedArgs, job: BatchJob): Promise<void> {
  // Several paths are read in order as one stream: rows are numbered on across files (so are the
  // draws of `sample` and the --targets lines); each file has its own format and header.
  const paths: (string | undefined)[] = args.positionals.length === 0 ? [undefined] : [...args.positionals];
  if (paths.filter((p) => p === "-").length > 1) {
    throw new UsageError('stdin ("-") can be read only once', "-");
  }
  const readOpts = paths.map((p) => readOptionsFrom(args, p));
  if (job.kind === "sample") checkFlagParams(() => validateSamplerParams(job.params));
  if (job.kind === "softmax" && job.temperature !== undefined) {
    // Softmax's temperature follows the sampler's rule (finite, ≥ 0; 0 = one-hot on the argmax).
    const temperature = job.temperature;
    checkFlagParams(() => validateSamplerParams({ temperature }));
  }
  // --targets first: a missing targets file is reported before anything runs; its contents are
  // read chunk by chunk beside the input (see targets.ts).
  const targets: Targets | undefined =
    job.kind === "score" && job.targets !== undefined ? await openTargets(job.targets) : undefined;
  // Every path is opened before anything runs: a missing file is reported (exit 66) up front.
  const inputs: Input[] = [];
  try {
    for (const p of paths) inputs.push(await openInput(p, ctx));
  } catch (err) {
    for (const i of inputs) await i.close();
    throw err;
  }
  const sizes = inputs.map((i) => i.size);
  const totalSize = sizes.every((n) => n !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
  const pool = createPool({
    threads: job.threads,
    ...(job.inlineElements === undefined ? {} : { inlineThreshold: job.inlineElements }),
    signal: ctx.signal,
    maxWorkerMemoryMb: job.workerMemoryMb,
  });
  const progress = createProgress(ctx.stderr, { totalBytes: totalSize, enabled: job.progress });
  let skipped = 0;
  let firstSkip: Error | undefined;
  let totals: StreamTotals | undefined;
  try {
    let bytesRead = 0;
    let inputRows = 0;
    // Wraps the framer of each input in turn: numbers rows on across inputs, notes how far the input
    // has been read (for the progress bar) and, with --targets, reads the targets of each chunk's rows
    // before the pool asks for them. A framing error names its file when there are several.
    async function* source(): AsyncGenerator<ByteChunk> {
      let bytesBefore = 0;
      for (let i = 0; i < inputs.length; i++) {
        const rowsBefore = inputRows;
        // Chunks are cut straight into the pool's shared memory: the workers read them with no staging copy.
        const chunks = frameChunks(inputs[i]!.source, { ...readOpts[i]!, alloc: pool.allocBytes });
        let end = 0;
        try {
          for await (const cut of chunks) {
            const chunk = rowsBefore === 0 ? cut : { ...cut, firstRow: cut.firstRow + rowsBefore };
            end = chunk.byteOffset + chunk.bytes.byteLength;
            bytesRead = bytesBefore + end;
            inputRows = chunk.firstRow + chunk.rows;
            if (targets !== undefined) await targets.prepare(chunk.firstRow, chunk.rows);
            yield chunk;
          }
        } catch (err) {
          if (inputs.length > 1 && err instanceof Error)
            err.message = `${paths[i] ?? "stdin"}: ${err.message}`;
          throw err;
        }
        bytesBefore += inputs[i]!.size ?? end;
        await inputs[i]!.close();
      }
    }
    const runOpts = targets === undefined ? {} : { targets: targets.take };
    try {
      for await (const result of pool.run(source(), poolJob(job), runOpts)) {
        // A row past the end of a short (or bad) --targets file: skipped by the core in skip mode,
        // but it ends the run in every mode once the rows before it are written.
        let targetsFailure: Error | undefined;
        let errors = result.errors;
        if (targets !== undefined && errors.length > 0) {
          targetsFailure = errors.map((e) => targets.failureOf(e)).find((e) => e !== undefined);
          if (targetsFailure !== undefined) errors = errors.filter((e) => targets.failureOf(e) === undefined);
        }
        if (result.bytes !== undefined && result.bytes.length > 0) {
          const wait = ctx.stdout.write(result.bytes);
          if (wait) await wait;
        }
        if (errors.length > 0) {
          skipped += errors.length;
          firstSkip ??= errors[0];
        }
        if (targetsFailure !== undefined) throw targetsFailure;
        totals = result.totals;
        progress.update(result.rows, bytesRead);
      }
    } catch (err) {
      throw targets?.failureOf(err) ?? err;
    }
    if (targets !== undefined) await targets.finish(inputRows);
    if (job.kind === "score") {
      const wait = ctx.stdout.write(summaryBytes(totals, job.output));
      if (wait) await wait;
    }
  } finally {
    progress.stop();
    await pool.destroy();
    await targets?.close();
    for (const i of inputs) await i.close();
    if (skipped > 0) {
      const first = firstSkip ? ` (first: ${firstSkip.message})` : "";
      ctx.stderr.write(
        `logitstream ${job.kind}: skipped ${skipped} bad row${skipped === 1 ? "" : "s"}${first}\n`,
      );
    }
  }
}
