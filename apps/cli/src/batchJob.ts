import type { CommandContext } from "./command.js";
import type { ParsedArgs } from "./flags.js";
import { openInput } from "./input.js";
import { readOptionsFrom } from "./readOptions.js";
import type { CliSamplerParams } from "./samplerParams.js";

interface Common {
  output: "ndjson" | "msgpack";
  threads: number;
  onError: "fail" | "skip";
  progress: boolean;
}
export type BatchJob =
  | (Common & { kind: "sample"; params: CliSamplerParams; logprobs: number })
  | (Common & { kind: "softmax"; log: boolean; temperature: number | undefined; top: number | undefined })
  | (Common & { kind: "score"; targets: string | undefined; top: number });

export async function runBatchJob(ctx: CommandContext, args: ParsedArgs, job: BatchJob): Promise<void> {
  readOptionsFrom(args);
  const input = await openInput(args.positionals[0], ctx.stdin);
  input.stream.destroy();
  throw new Error(`${job.kind} is not wired yet`);
}
