import type { FlagSpec, ParsedArgs } from "./flags.js";
import { int, str } from "./flags.js";

/** `--queue URL` and the flags of a distributed run (sample, softmax, score). */
export const queueFlags: readonly FlagSpec[] = [
  {
    name: "queue",
    kind: "string",
    placeholder: "URL",
    description:
      "run on `logitstream worker` processes through Redis: redis://[:PASS@]HOST[:PORT][/DB], rediss://… or unix:///SOCKET",
  },
  {
    name: "job-id",
    kind: "string",
    placeholder: "ID",
    defaultText: "a fresh id, printed on stderr",
    description:
      "with --queue: names the job; the same id resumes a stopped job (append to its output with >>)",
  },
  {
    name: "task-rows",
    kind: "string",
    placeholder: "N",
    defaultText: "4096",
    description: "with --queue: most rows per task",
  },
  {
    name: "in-flight",
    kind: "string",
    placeholder: "N",
    defaultText: "8",
    description: "with --queue: most tasks queued ahead of the output (bounds the memory used in Redis)",
  },
];

/** The values of {@link queueFlags}; undefined without --queue. */
export interface QueueFlagValues {
  url: string;
  jobId: string | undefined;
  taskRows: number | undefined;
  inFlight: number | undefined;
}

export function queueFlagsFrom(args: ParsedArgs): QueueFlagValues | undefined {
  const url = str(args, "queue");
  if (url === undefined) return undefined;
  return {
    url,
    jobId: str(args, "job-id"),
    taskRows: int(args, "task-rows", 1),
    inFlight: int(args, "in-flight", 1, 4096),
  };
}
