import { open } from "node:fs/promises";
import { InvalidTargetError, LogitstreamError } from "@logitstream/core";
import { readTargets } from "@logitstream/wire";
import { InputError } from "./errors.js";

/**
 * The target handed to the pool for a row that has no target in the file (the file ended, or a bad
 * token stopped it). It is no token id, so the core rejects that row with `InvalidTargetError` — in the
 * worker or inline, after the rows before it were delivered, exactly like any bad row — and the CLI
 * turns that error into the real one ({@link Targets.failureOf}). A targets file cannot contain it:
 * wire's reader accepts -1 and `0 … 2^31 − 1` only.
 */
const MISSING_TARGET = -2;

/**
 * `--targets FILE` and the input disagree on the number of rows: `row` is the first row without a
 * target (the file is short) or the first target without a row (the file is long). Bad data: exit 65.
 */
class TargetsCountError extends LogitstreamError {
  readonly row: number;
  constructor(row: number, message: string) {
    super("E_TARGETS_COUNT", message);
    this.row = row;
  }
}

/**
 * `--targets FILE` beside the rows: the pool asks for the targets of each batch synchronously
 * (`RunOptions.targets(firstRow, rows)`), so the targets of a chunk are read (asynchronously) before
 * the chunk is handed to the pool, and taken when the pool starts it. Memory holds the targets of the
 * chunks in flight only (and one read of the file).
 *
 * The file's targets replace the frames' targets: with `--targets`, a frame's `target` is ignored, and
 * `-1` in the file means "no target" for that row (scored by its entropy).
 */
export interface Targets {
  /** Reads the targets of rows `firstRow … firstRow + rows − 1`; call in input order. Never throws. */
  prepare(firstRow: number, rows: number): Promise<void>;
  /** The prepared targets of a chunk ({@link MISSING_TARGET} past a short or bad file), handed over once. */
  take: (firstRow: number, rows: number) => Int32Array | undefined;
  /**
   * The error to report for `err` when it is the core's rejection of a {@link MISSING_TARGET} row: the
   * file's own `WireError` (a bad token, naming its byte offset) or a {@link TargetsCountError} (the
   * file ended). `undefined` for any other error.
   */
  failureOf(err: unknown): Error | undefined;
  /**
   * After the input's last row (`rows` rows in all): throws when the file was short or bad and no row
   * reported it (e.g. every such row was skipped), or when the file holds more targets than rows.
   */
  finish(rows: number): Promise<void>;
  close(): Promise<void>;
}

/** Builds {@link Targets} over a source of target ids in file order (chunks of any size). */
function targetsFrom(source: AsyncIterable<Int32Array>, onClose: () => Promise<void>): Targets {
  const it = source[Symbol.asyncIterator]();
  const ready = new Map<number, Int32Array>();
  let pending: Int32Array = new Int32Array(0);
  let ended = false;
  let read = 0; // targets taken from the file so far
  let failure: Error | undefined; // the file's error, or the "too short" error, once known
  let failureRow = -1;

  const short = (row: number): TargetsCountError =>
    new TargetsCountError(
      row,
      `row ${row}: --targets file has no target for it: the file ends after ${read} target${read === 1 ? "" : "s"}, but the input has more rows (the file needs one target per row; -1 = no target)`,
    );

  return {
    async prepare(firstRow, rows) {
      const out = new Int32Array(rows).fill(MISSING_TARGET);
      let filled = 0;
      while (filled < rows && failure === undefined) {
        if (pending.length === 0) {
          if (ended) break;
          let next: IteratorResult<Int32Array>;
          try {
            next = await it.next();
          } catch (err) {
            ended = true;
            failure = err instanceof Error ? err : new Error(String(err));
            failureRow = firstRow + filled;
            break;
          }
          if (next.done) {
            ended = true;
            break;
          }
          pending = next.value;
          continue;
        }
        const n = Math.min(rows - filled, pending.length);
        out.set(pending.subarray(0, n), filled);
        pending = pending.subarray(n);
        filled += n;
        read += n;
      }
      if (filled < rows && failure === undefined) {
        failureRow = firstRow + filled;
        failure = short(failureRow);
      }
      ready.set(firstRow, out);
    },
    take(firstRow) {
      const t = ready.get(firstRow);
      ready.delete(firstRow);
      return t;
    },
    failureOf(err) {
      if (!(err instanceof InvalidTargetError) || err.target !== MISSING_TARGET) return undefined;
      return failure ?? short(err.row);
    },
    async finish(rows) {
      if (failure !== undefined) throw failure;
      let extra = pending.length > 0;
      while (!extra && !ended) {
        const next = await it.next(); // a bad token past the last row is reported as it is
        if (next.done) ended = true;
        else extra = next.value.length > 0;
      }
      if (extra) {
        throw new TargetsCountError(
          rows,
          `--targets file has more targets than the input has rows: the input ends after ${rows} row${rows === 1 ? "" : "s"}, and target ${rows} has no row (the file needs one target per row)`,
        );
      }
    },
    async close() {
      ready.clear();
      // The file first: a read still pending (the run stopped while a chunk's targets were being
      // read) then ends at once, and the reader's return() does not wait for it.
      await onClose();
      await Promise.resolve(it.return?.()).catch(() => {});
    },
  };
}

/**
 * Opens `--targets FILE` (whitespace-separated integers, one per row; wire's `readTargets`). The file
 * is opened before anything runs: a missing file is an InputError (exit 66) up front. Bad contents
 * (a token that is not an integer, an id out of range) surface at their row as wire's `WireError`,
 * naming the token's index and byte offset (exit 65).
 */
export async function openTargets(path: string): Promise<Targets> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new InputError(`cannot open --targets file ${path}: ${why}`, { cause: err });
  }
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw new InputError(`cannot open --targets file ${path}: it is a directory`);
  }
  const stream = handle.createReadStream({ highWaterMark: 1 << 16 });
  return targetsFrom(readTargets(stream), async () => {
    stream.destroy();
  });
}
