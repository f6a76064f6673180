import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/** One flag of a command: how it parses, and how `--help` shows it. */
export interface FlagSpec {
  /** Long name without the dashes: `top-p`. */
  readonly name: string;
  readonly kind: "string" | "boolean";
  readonly short?: string;
  /** The flag may be given several times (values collected in order). */
  readonly multiple?: boolean;
  /** Placeholder shown in help: `P`. */
  readonly placeholder?: string;
  /** Default shown in help (the value applied when the flag is absent is decided by the command). */
  readonly defaultText?: string;
  readonly description: string;
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

const HELP: FlagSpec = { name: "help", kind: "boolean", short: "h", description: "show this help and exit" };

/**
 * Parses `argv` against the flags of one command with node:util `parseArgs` (strict: an unknown
 * flag or a missing value is a UsageError naming the flag, exit code 2).
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  maxPositionals: number,
): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const s of [...specs, HELP]) {
    const o: { type: "string" | "boolean"; short?: string; multiple?: boolean } = { type: s.kind };
    if (s.short !== undefined) o.short = s.short;
    if (s.multiple) o.multiple = true;
    options[s.name] = o;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: longFormOfShortEquals(argv, specs),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(usageMessage(err), flagOf(err));
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals]!;
    throw new UsageError(`unexpected argument "${extra}"`, extra);
  }
  return { values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals };
}

/**
 * `-t=0.5` → `--temperature=0.5` for every short flag that takes a value. parseArgs reads `-t=0.5` as
 * `-t` with the value "=0.5"; the `-x=VALUE` form is the one the ambiguity message asks for (a value
 * starting with "-", like `-t=-1`), so it must work. Everything after `--` is left alone.
 */
function longFormOfShortEquals(argv: readonly string[], specs: readonly FlagSpec[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const a of argv) {
    rest ||= a === "--";
    const m = rest ? null : /^-([^-=])=([\s\S]*)$/.exec(a);
    const spec = m === null ? undefined : specs.find((s) => s.short === m[1] && s.kind === "string");
    out.push(spec === undefined ? a : `--${spec.name}=${m![2]}`);
  }
  return out;
}

/** The flag named in a parseArgs message, long form preferred (`'-k, --top-k <value>'` → `--top-k`). */
function flagOf(err: unknown): string | undefined {
  const quoted = /'([^']+)'/.exec(err instanceof Error ? err.message : "")?.[1] ?? "";
  return /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0];
}

/** Turns parseArgs' messages into one short line that names the flag. */
function usageMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  const msg = err instanceof Error ? err.message : String(err);
  const flag = flagOf(err);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) return `unknown flag ${flag}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
    if (/argument missing/.test(msg)) return `${flag} needs a value`;
    if (/does not take an argument/.test(msg)) return `${flag} takes no value`;
    if (/ambiguous/.test(msg)) return `${flag}: a value starting with "-" must be written ${flag}=VALUE`;
  }
  return msg.split("\n")[0]!;
}

function raw(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable string flag: every value, in order. */
export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** A boolean flag. */
export function bool(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A string flag, or undefined when absent. */
export function str(args: ParsedArgs, name: string): string | undefined {
  return raw(args, name);
}

/** A number flag (any finite decimal); range checks are left to the package that owns the parameter. */
export function num(args: ParsedArgs, name: string): number | undefined {
  const v = raw(args, name);
  if (v === undefined) return undefined;
  const n = v.trim() === "" ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got "${v}"`, `--${name}`);
  return n;
}

/** An integer flag with a lower bound. */
export function int(
  args: ParsedArgs,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = raw(args, name);
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) {
    throw new UsageError(`--${name}: expected an integer, got "${v}"`, `--${name}`);
  }
  const n = Number(v);
  if (n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name}: expected an integer ${range}, got ${v}`, `--${name}`);
  }
  return n;
}

/** A flag whose value is one of `choices`. */
export function choice<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
): T | undefined {
  const v = raw(args, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name}: expected one of ${choices.join(", ")}; got "${v}"`, `--${name}`);
  }
  return v as T;
}

/** `--threads N`: default the machine's available parallelism. */
export function threads(args: ParsedArgs): number {
  return int(args, "threads", 1, 1024) ?? availableParallelism();
}

/** Renders `--help` for one command: usage, description, flags with defaults, examples. */
export function renderHelp(cmd: {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  readonly examples: readonly string[];
}): string {
  const rows = [...cmd.flags, HELP].map((f) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${f.name}${f.placeholder ? ` ${f.placeholder}` : ""}`;
    const right =
      f.defaultText === undefined ? f.description : `${f.description} (default: ${f.defaultText})`;
    return [left, right] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  const textWidth = Math.max(40, 100 - width - 4);
  const lines = [
    `Usage: logitstream ${cmd.usage}`,
    "",
    cmd.description,
    "",
    "Flags:",
    ...rows.flatMap(([l, r]) =>
      wrap(r, textWidth).map((part, i) => `  ${(i === 0 ? l : "").padEnd(width)}  ${part}`),
    ),
    "",
    "Examples:",
    ...cmd.examples.map((e) => `  ${e}`),
    "",
  ];
  return lines.join("\n");
}

/** Splits text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  out.push(line);
  return out;
}
