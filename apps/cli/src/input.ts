import { close, createReadStream, fstat, fstatSync, open, read, type Stats } from "node:fs";
import { promisify } from "node:util";
import type { ByteInput, ByteReader } from "@logitstream/wire";
import type { CommandContext } from "./command.js";
import { InputError } from "./errors.js";
import { PipeReader } from "./pipeReader.js";

/** Where the rows come from: a path argument, or stdin when there is none (or it is "-"). */
export interface Input {
  /**
   * A regular file is read through a ByteReader, so wire reads binary rows straight into the pool's
   * shared memory (no read buffer, no copy on the main thread); stdin that is a pipe or a socket is read
   * by a PipeReader (binary rows straight into that memory while the framer waits for them, into a ring
   * while it is busy), and so is a path that names a pipe (a named FIFO, a shell's `<(cmd)`); anything
   * else (a terminal, a device) is read as a stream.
   */
  readonly source: ByteInput;
  /** The path as given; undefined for stdin. Wire uses its extension to detect the format. */
  readonly path: string | undefined;
  /** Size in bytes when known (a regular file), for the progress bar. */
  readonly size: number | undefined;
  /** Stops reading and releases the file or stream (idempotent). */
  close(): Promise<void>;
}

/**
 * Opens the input. A path is opened before anything runs, so a missing file is an InputError
 * (exit 66) up front rather than a stream error halfway through. Stdin redirected from a regular file
 * (`logitstream score < rows.f32`) is read like a path, from its current offset; stdin that is a pipe or a
 * socket (`cat rows.npy | logitstream score`) is read by a PipeReader, and so is a path that is a pipe: a named
 * FIFO, or a shell's process substitution (`logitstream compare <(zcat a.npy.gz) <(zcat b.npy.gz)`, where the
 * path is /dev/fd/N, the read end of a pipe). Read as a Node stream instead, such a path took 2–3 times as
 * long (apps/cli/BENCHMARKS.md, "A pipe given as a path").
 */
export async function openInput(
  path: string | undefined,
  ctx: Pick<CommandContext, "stdin" | "stdinFd">,
): Promise<Input> {
  if (path === undefined || path === "-") {
    const fd = ctx.stdinFd;
    const stat = fd === undefined ? undefined : statOf(fd);
    if (fd !== undefined && stat?.isFile() === true) {
      // Not closed here: stdin belongs to the process.
      return { source: fileReader(fd), path: undefined, size: stat.size, close: async () => {} };
    }
    if (fd !== undefined && (stat?.isFIFO() === true || stat?.isSocket() === true)) {
      // A pipe (`cat rows.npy |`, a socket from a parent process): see PipeReader.
      const pipe = new PipeReader(fd);
      return { source: pipe, path: undefined, size: undefined, close: async () => pipe.close() };
    }
    const stdin = ctx.stdin;
    return { source: stdin, path: undefined, size: undefined, close: async () => void stdin.destroy() };
  }
  let fd: number;
  try {
    fd = await openFd(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new InputError(`cannot open ${path}: ${why}`, { cause: err });
  }
  // The descriptor is owned from here on by exactly one closer: this function on a directory, the
  // ByteReader's close for a file, the PipeReader for a pipe, the stream otherwise.
  const stat = await fstatFd(fd);
  if (stat.isDirectory()) {
    await closeFd(fd);
    throw new InputError(`cannot open ${path}: it is a directory`);
  }
  if (stat.isFile()) {
    let closed: Promise<void> | undefined;
    const closeOnce = () => {
      closed ??= closeFd(fd).catch(() => {});
      return closed;
    };
    return { source: { ...fileReader(fd), close: closeOnce }, path, size: stat.size, close: closeOnce };
  }
  if (stat.isFIFO() || stat.isSocket()) {
    const pipe = new PipeReader(fd);
    return { source: pipe, path, size: undefined, close: async () => pipe.close() };
  }
  const stream = createReadStream(path, { fd, highWaterMark: 1 << 20 });
  return { source: stream, path, size: undefined, close: async () => void stream.destroy() };
}

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/** A regular file's descriptor as wire's ByteReader: reads from its current offset, straight into `into`. */
function fileReader(fd: number): ByteReader {
  return {
    readInto: (into) =>
      new Promise((resolve, reject) =>
        read(fd, into, 0, into.length, null, (err, n) => (err ? reject(err) : resolve(n))),
      ),
  };
}

/** fstat of a descriptor, or undefined when it cannot be asked (closed, or not a descriptor here). */
function statOf(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}
