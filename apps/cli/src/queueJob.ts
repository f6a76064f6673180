import { fstatSync, ftruncateSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { validateSamplerParams } from "@logitstream/core";
import type { StreamTotals } from "@logitstream/pool";
import { JobResumeError, openQueueJob } from "@logitstream/queue";
import { type BatchJob, poolJob } from "./batchJob.js";
import type { CommandContext } from "./command.js";
import { checkFlagParams, UsageError } from "./errors.js";
import type { ParsedArgs } from "./flags.js";
import { openInput } from "./input.js";
import type { QueueFlagValues } from "./queueFlags.js";
import { createQueueProgress } from "./queueProgress.js";
import { readOptionsFrom } from "./readOptions.js";
import { summaryBytes } from "./summary.js";

/**
 * sample | softmax | score with --queue: the coordinator. @logitstream/queue cuts the input into tasks
 * (a path: byte ranges the workers read themselves; stdin: each task's bytes stored in Redis), runs
 * them on `logitstream worker` processes and hands back their records in input order; this writes them
 * to stdout exactly as the local run would (same bytes, same summary, same exit codes).
 */
export async function runQueueJob(
  ctx: CommandContext,
  args: ParsedArgs,
  job: BatchJob,
  queue: QueueFlagValues,
): Promise<void> {
  const readOpts = readOptionsFrom(args);
  if (job.kind === "sample") checkFlagParams(() => validateSamplerParams(job.params));
  if (job.kind === "softmax" && job.temperature !== undefined) {
    const temperature = job.temperature;
    checkFlagParams(() => validateSamplerParams({ temperature }));
  }
  if (job.kind === "score" && job.targets !== undefined) {
    throw new UsageError(
      "--targets cannot be combined with --queue yet: give each frame its own target",
      "--targets",
    );
  }
  const given = args.positionals[0];
  const input = await openInput(given, ctx);
  // A path goes to the workers as an absolute path: it must name the same file on every machine.
  const path = input.path !== undefined && input.size !== undefined ? resolve(input.path) : undefined;
  const stat = path !== undefined ? statOrUndefined(path) : undefined;
  const qjob = await openQueueJob({
    url: queue.url,
    input: input.source,
    read: readOpts,
    spec: poolJob(job),
    signal: ctx.signal,
    ...(queue.jobId !== undefined ? { jobId: queue.jobId } : {}),
    ...(queue.taskRows !== undefined ? { taskRows: queue.taskRows } : {}),
    ...(queue.inFlight !== undefined ? { maxInFlight: queue.inFlight } : {}),
    ...(path !== undefined ? { path, size: input.size!, mtimeMs: stat?.mtimeMs ?? 0 } : {}),
  });
  const name = `logitstream ${job.kind}`;
  const progress = createQueueProgress(ctx.stderr, {
    enabled: job.progress,
    liveWorkers: () => qjob.liveWorkers(),
  });
  let totals: StreamTotals | undefined = qjob.resumed?.totals;
  let skipped = qjob.resumed?.skipped ?? 0;
  let firstSkip = qjob.resumed?.firstSkip;
  try {
    if (queue.jobId === undefined) {
      ctx.stderr.write(
        `${name}: job ${qjob.jobId} on ${qjob.display} (rerun with --job-id ${qjob.jobId} to resume)\n`,
      );
    }
    if (qjob.resumed !== undefined)
      continueOutput(qjob.jobId, qjob.resumed.bytes, ctx, name, qjob.resumed.rows);
    for await (const r of qjob.results()) {
      if (r.bytes.length > 0) {
        const wait = ctx.stdout.write(r.bytes);
        if (wait) await wait;
      }
      totals = r.totals;
      skipped += r.skipped;
      firstSkip ??= r.firstSkip;
      progress.update(r.rows);
    }
    if (job.kind === "score") {
      const wait = ctx.stdout.write(summaryBytes(totals, job.output));
      if (wait) await wait;
    }
  } finally {
    progress.stop();
    await qjob.close();
    await input.close();
    if (skipped > 0) {
      const first = firstSkip ? ` (first: ${firstSkip})` : "";
      ctx.stderr.write(`${name}: skipped ${skipped} bad row${skipped === 1 ? "" : "s"}${first}\n`);
    }
  }
}

/**
 * Before a resumed job writes on: stdout that is a regular file must hold the previous run's output
 * (opened with `>>`); bytes past what that run recorded as written (it stopped mid-write) are cut off.
 * Any other stdout (a pipe) simply gets the rest.
 */
function continueOutput(jobId: string, bytes: number, ctx: CommandContext, name: string, rows: number): void {
  const fd = 1;
  const stat = (() => {
    try {
      return fstatSync(fd);
    } catch {
      return undefined;
    }
  })();
  if (stat?.isFile() === true) {
    if (stat.size < bytes) {
      throw new JobResumeError(
        jobId,
        `the previous run wrote ${bytes} bytes of output but stdout holds ${stat.size}: append to that run's output file (>> FILE)`,
      );
    }
    if (stat.size > bytes) ftruncateSync(fd, bytes);
  }
  ctx.stderr.write(`${name}: resuming job ${jobId} after ${rows} rows written by the previous run\n`);
}

function statOrUndefined(path: string): { mtimeMs: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
