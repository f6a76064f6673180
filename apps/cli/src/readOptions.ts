import { formatFromPath } from "@logitstream/wire";
import { UsageError } from "./errors.js";
import { choice, int, type ParsedArgs, str } from "./flags.js";
import { FORMATS, type FormatName, ON_ERROR } from "./sharedFlags.js";

/** The read options of @logitstream/wire (`ReadOptions`), from --format, --vocab, --tensor, --on-error. */
interface CliReadOptions {
  format?: FormatName;
  vocab?: number;
  tensor?: string;
  onError: "throw" | "skip";
}

/**
 * Read options of one input; without --format, the path's extension (wire's `formatFromPath`) names the
 * format. `path` defaults to the first PATH argument.
 */
export function readOptionsFrom(
  args: ParsedArgs,
  path: string | undefined = args.positionals[0],
): CliReadOptions {
  const fromPath = path !== undefined && path !== "-" ? formatFromPath(path) : null;
  const format = choice(args, "format", FORMATS) ?? fromPath ?? undefined;
  const vocab = int(args, "vocab", 1);
  const tensor = str(args, "tensor");
  if ((format === "f32" || format === "f16" || format === "bf16") && vocab === undefined) {
    throw new UsageError(
      `--format ${format} needs --vocab V (raw rows have no header to give the row length)`,
      "--vocab",
    );
  }
  const onError = (choice(args, "on-error", ON_ERROR) ?? "fail") === "skip" ? "skip" : "throw";
  const opts: CliReadOptions = { onError };
  if (format !== undefined) opts.format = format;
  if (vocab !== undefined) opts.vocab = vocab;
  if (tensor !== undefined) opts.tensor = tensor;
  return opts;
}
