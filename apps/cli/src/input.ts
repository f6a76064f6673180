import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { InputError } from "./errors.js";

/** Where the rows come from: a path argument, or stdin when there is none (or it is "-"). */
export interface Input {
  readonly stream: Readable;
  /** The path as given; undefined for stdin. Wire uses its extension to detect the format. */
  readonly path: string | undefined;
  /** Size in bytes when known (a regular file), for the progress bar. */
  readonly size: number | undefined;
}

/**
 * Opens the input. A path is opened before anything runs, so a missing file is an InputError
 * (exit 66) up front rather than a stream error halfway through.
 */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Input> {
  if (path === undefined || path === "-") return { stream: stdin, path: undefined, size: undefined };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new InputError(`cannot open ${path}: ${why}`, { cause: err });
  }
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw new InputError(`cannot open ${path}: it is a directory`);
  }
  const stream = handle.createReadStream({ highWaterMark: 1 << 20 });
  return { stream, path, size: stat.isFile() ? stat.size : undefined };
}
