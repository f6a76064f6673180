import type { BatchJob } from "./batchJob.js";
import type { CommandContext } from "./command.js";
import type { ParsedArgs } from "./flags.js";
import { queueFlagsFrom } from "./queueFlags.js";

/**
 * Runs a batch command here (the pool on this machine's cores) or, with --queue, as the coordinator of
 * a distributed job. Each side is loaded on use: a local run never loads the Redis client.
 */
export async function runBatchCommand(ctx: CommandContext, args: ParsedArgs, job: BatchJob): Promise<void> {
  const queue = queueFlagsFrom(args);
  if (queue === undefined) {
    const { runBatchJob } = await import("./batchJob.js");
    return runBatchJob(ctx, args, job);
  }
  const { runQueueJob } = await import("./queueJob.js");
  return runQueueJob(ctx, args, job, queue);
}
