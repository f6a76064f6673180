import type { Readable } from "node:stream";
import type { FlagSpec, ParsedArgs } from "./flags.js";
import type { Output } from "./output.js";

/** What a command gets to run with: the process streams, wrapped, and the run's abort signal. */
export interface CommandContext {
  /** Read only when the input is stdin and not a regular file (reading it makes fd 0 non-blocking). */
  readonly stdin: Readable;
  /** The descriptor behind `stdin` (0 for the process's): a regular file there is read like a path. */
  readonly stdinFd?: number;
  readonly stdout: Output;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted by SIGINT/SIGTERM (reason: StoppedError) or a closed stdout (reason: OutputClosedError). */
  readonly signal: AbortSignal;
}

/** One subcommand: its help and its run function. One file per command in src/commands/. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** After `logitstream `: `sample [PATH] [flags]`. */
  readonly usage: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  readonly examples: readonly string[];
  readonly maxPositionals: number;
  run(args: ParsedArgs, ctx: CommandContext): Promise<void>;
}
