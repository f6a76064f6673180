import { UsageError } from "./errors.js";

/**
 * Replaces the escape sequences `\n`, `\t`, `\r`, `\\`, `\"`, `\'`, `\0` and `\uXXXX` in text typed on
 * the command line (a PROMPT argument, a `--stop` string), as llama.cpp's `--escape` does, so that
 * `--stop '\n\n'` means two newlines. A backslash before any other character is kept as it is; a
 * malformed `\u` is a UsageError naming `flag`.
 *
 * @param text the argument as typed
 * @param flag where it came from, for the message (`--stop`, `PROMPT`)
 * @example
 * decodeEscapes("a\\nb", "--stop") // "a\nb"
 */
export function decodeEscapes(text: string, flag: string): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\" || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i]!;
    switch (n) {
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "r":
        out += "\r";
        break;
      case "0":
        out += "\0";
        break;
      case "\\":
      case '"':
      case "'":
        out += n;
        break;
      case "u": {
        const hex = text.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new UsageError(
            `${flag}: "\\u" must be followed by 4 hex digits (got "\\u${hex}"); write "\\\\u" for a backslash and a u, or pass --no-escape`,
            flag.startsWith("-") ? flag : undefined,
          );
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += `\\${n}`;
    }
  }
  return out;
}
