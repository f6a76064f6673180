#!/usr/bin/env node
// The logitstream command: parse flags, wire stdin/path → wire → pool/stream → wire → stdout, map
// errors to exit codes. No math and no parsing of data here (docs/CONVENTIONS.md, "The CLI is thin").
import { readFileSync } from "node:fs";
import type { Command, CommandContext } from "./command.js";
import { bench } from "./commands/bench.js";
import { compare } from "./commands/compare.js";
import { generate } from "./commands/generate.js";
import { lens } from "./commands/lens.js";
import { logits } from "./commands/logits.js";
import { sample } from "./commands/sample.js";
import { score } from "./commands/score.js";
import { softmax } from "./commands/softmax.js";
import { worker } from "./commands/worker.js";
import { describeError, OutputClosedError, UsageError } from "./errors.js";
import { ExitCode } from "./exitCodes.js";
import { parseFlags, renderHelp } from "./flags.js";
import { Output } from "./output.js";
import { abortOnSignals } from "./signals.js";

const COMMANDS: readonly Command[] = [sample, softmax, score, compare, generate, logits, lens, bench, worker];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: logitstream <command> [PATH…] [flags]",
    "",
    "Turns language-model logits into probabilities, sampled tokens, log-probabilities and scores.",
    "Rows come from the PATHs (read in order as one stream; - = stdin) or stdin; records go to stdout,",
    "one per row, in input order.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Flags:",
    "  -h, --help     show help (also: logitstream <command> --help)",
    "  -V, --version  print the version",
    "",
    "Exit codes: 0 ok (also when stdout is closed early, e.g. | head -1), 1 internal error,",
    "2 bad flags, 65 bad data, 66 input not found, 69 queue (Redis) unavailable, 74 write error,",
    "130 SIGINT, 143 SIGTERM.",
    "",
  ].join("\n");
}

/** Runs one command line; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  const controller = new AbortController();
  const stdout = new Output(process.stdout, controller.signal);
  if (first === undefined) {
    process.stderr.write(topHelp());
    return ExitCode.usage;
  }
  if (first === "-h" || first === "--help" || first === "help") {
    const named = first === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    await stdout.write(named ? renderHelp(named) : topHelp());
    await stdout.flush();
    return ExitCode.ok;
  }
  if (first === "-V" || first === "--version") {
    await stdout.write(`${version()}\n`);
    await stdout.flush();
    return ExitCode.ok;
  }
  stdout.onFailure((err) => {
    if (!controller.signal.aborted) controller.abort(err);
  });
  const removeSignals = abortOnSignals(controller);
  try {
    const cmd = COMMANDS.find((c) => c.name === first);
    if (cmd === undefined) {
      throw new UsageError(
        `unknown command "${first}"; commands: ${COMMANDS.map((c) => c.name).join(", ")}`,
        first,
      );
    }
    const args = parseFlags(rest, cmd.flags, cmd.maxPositionals);
    if (args.values.help === true) {
      await stdout.write(renderHelp(cmd));
      await stdout.flush();
      return ExitCode.ok;
    }
    const ctx: CommandContext = {
      // A getter: process.stdin is created (and fd 0 made non-blocking) only if a command reads it.
      get stdin() {
        return process.stdin;
      },
      stdinFd: 0,
      stdout,
      stderr: process.stderr,
      signal: controller.signal,
    };
    await cmd.run(args, ctx);
    // A signal that arrived while the last records were written still ends with its exit code.
    if (controller.signal.aborted) throw controller.signal.reason;
    await stdout.flush();
    if (stdout.failure) throw stdout.failure;
    return ExitCode.ok;
  } catch (err) {
    // When the run was aborted, the abort reason (signal, closed stdout) is the real cause; the
    // error the pipeline threw while stopping is only its echo.
    const cause = controller.signal.aborted ? controller.signal.reason : err;
    const { exitCode, message } = describeError(cause instanceof OutputClosedError ? cause : (cause ?? err));
    await stdout.flush();
    if (message !== "") {
      const known = COMMANDS.some((c) => c.name === first);
      const hint = cause instanceof UsageError ? ` (see: logitstream ${known ? `${first} ` : ""}--help)` : "";
      process.stderr.write(`logitstream${known ? ` ${first}` : ""}: ${message}${hint}\n`);
    }
    if (exitCode === ExitCode.internal && process.env.LOGITSTREAM_DEBUG)
      process.stderr.write(`${(err as Error).stack}\n`);
    return exitCode;
  } finally {
    removeSignals();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: an input stream we stopped reading, or a worker still shutting down, must not
    // keep the process alive once every complete record has been written.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`logitstream: internal error: ${String(err)}\n`);
    process.exit(ExitCode.internal);
  },
);
