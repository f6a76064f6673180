import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { int, str, threads } from "../flags.js";
import { DEFAULT_WORKER_MEMORY_MB, threadsFlag, workerMemoryFlag } from "../sharedFlags.js";

/** `logitstream worker`: runs the tasks of distributed jobs (`--queue`) on this machine's cores. */
export const worker: Command = {
  name: "worker",
  summary: "run tasks of `sample|softmax|score --queue` jobs from Redis on this machine",
  usage: "worker --queue URL [flags]",
  description: [
    "Takes tasks from the Redis queue, runs each on a local pool of worker threads (all cores by default)",
    "and stores its records for the coordinator, which writes them in input order. Start one per machine;",
    "input paths given to the coordinator must name the same file here (shared storage); stdin input",
    "travels through Redis. SIGTERM or Ctrl-C: finish the tasks in hand, then exit (143 / 130); a second",
    "signal exits at once and the tasks are taken over by another worker after --stall-timeout.",
  ].join("\n"),
  flags: [
    {
      name: "queue",
      kind: "string",
      placeholder: "URL",
      description: "redis://[:PASS@]HOST[:PORT][/DB], rediss://… (TLS) or unix:///SOCKET",
    },
    threadsFlag,
    workerMemoryFlag,
    {
      name: "concurrency",
      kind: "string",
      placeholder: "N",
      defaultText: "2",
      description: "tasks run at once (one computes while the next one's bytes load)",
    },
    {
      name: "stall-timeout",
      kind: "string",
      placeholder: "MS",
      defaultText: "30000",
      description: "a task whose worker is silent this long (killed, frozen) is given to another worker",
    },
  ],
  examples: [
    "logitstream worker --queue redis://10.0.0.5:6379",
    "logitstream worker --queue rediss://:$REDIS_PASSWORD@redis.internal:6380/2 --threads 16",
  ],
  maxPositionals: 0,
  async run(args, ctx) {
    const url = str(args, "queue");
    if (url === undefined)
      throw new UsageError("worker needs --queue URL (the coordinator's Redis)", "--queue");
    const opts = {
      url,
      threads: threads(args),
      workerMemoryMb: int(args, "worker-memory", 64) ?? DEFAULT_WORKER_MEMORY_MB,
      concurrency: int(args, "concurrency", 1, 64) ?? 2,
      stallMs: int(args, "stall-timeout", 1000) ?? 30_000,
    };
    const { startQueueWorker } = await import("@logitstream/queue");
    const w = startQueueWorker(opts);
    ctx.stderr.write(`logitstream worker: serving ${w.display} with ${opts.threads} threads\n`);
    const stop = (): void => void w.close();
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener("abort", stop, { once: true });
    try {
      await w.done;
    } finally {
      ctx.signal.removeEventListener("abort", stop);
      await w.close();
    }
  },
};
