import type { Readable } from "node:stream";
import type { FlagSpec, ParsedArgs } from "./flags.js";
import type { Output } from "./output.js";

/** What a command gets to run with: the process streams, wrapped, and the run's abort signal. */
export interface CommandContext {
  /**
   * Read only when the input is stdin and `stdinFd` is not a regular file, a pipe or a socket (those are
   * read through the descriptor: see input.ts). Reading it makes fd 0 non-blocking.
   */
  readonly stdin: Readable;
  /** The descriptor behind `stdin` (0 for the process's): a regular file there is read like a path, a pipe into a ring. */
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
