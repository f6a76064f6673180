import { readFile } from "node:fs/promises";
import { isatty } from "node:tty";
import type { CommandContext } from "./command.js";
import { InputError, PromptError } from "./errors.js";

/** Where `generate` takes its prompt from: text typed as PROMPT, a file (`-` = stdin), or stdin when piped. */
export type PromptSource = { text: string } | { file: string } | { stdinUnlessTerminal: true };

/**
 * Reads the prompt. A file or stdin is taken byte for byte (UTF-8; invalid UTF-8 is a PromptError,
 * exit 65), except that one trailing newline is dropped, so `echo "The history of" | logitstream
 * generate` continues the text rather than a new line. With no PROMPT, stdin is read only when it is
 * not a terminal: typed at a terminal, `logitstream generate` starts from nothing, as before.
 */
export async function readPrompt(
  source: PromptSource,
  ctx: Pick<CommandContext, "stdin" | "stdinFd">,
): Promise<string> {
  if ("text" in source) return source.text;
  let bytes: Uint8Array;
  let where: string;
  if ("file" in source && source.file !== "-") {
    where = source.file;
    try {
      bytes = await readFile(source.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code);
      throw new InputError(`cannot open the prompt file ${source.file}: ${why}`, { cause: err });
    }
  } else {
    if ("stdinUnlessTerminal" in source && isatty(ctx.stdinFd ?? 0)) return "";
    where = "stdin";
    const parts: Buffer[] = [];
    for await (const b of ctx.stdin) parts.push(typeof b === "string" ? Buffer.from(b) : (b as Buffer));
    bytes = Buffer.concat(parts);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw new PromptError(`the prompt from ${where} is not valid UTF-8`, { cause: err });
  }
  return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
}
